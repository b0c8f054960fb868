/// A struct's stored properties with their byte offsets, learned from one instance with public
/// API only: `Mirror` names the properties and their types in declaration order, and a struct
/// lays its stored properties out in that order, each at the next offset its alignment allows.
/// A key path to a stored property then names its property by `MemoryLayout.offset(of:)` and its
/// value type, without the standard library's reflection SPI.
///
/// The computed layout is checked against `MemoryLayout<M>.size`; a type it does not add up for
/// (a property of existential type, whose value's type is not the declared one) gets no layout.
struct StoredPropertyLayout {
    struct Property {
        /// The property's name (a property wrapper's storage `_name` is reported as `name`).
        let name: String
        let offset: Int
        let type: Any.Type
    }

    let properties: [Property]

    init?<M>(of instance: M) {
        let mirror = Mirror(reflecting: instance)
        guard mirror.displayStyle == .struct else { return nil }
        var properties: [Property] = []
        var end = 0
        for child in mirror.children {
            guard let label = child.label else { return nil }
            let type = Swift.type(of: child.value)
            let (size, alignment) = Self.sizeAndAlignment(of: type)
            let offset = (end + alignment - 1) / alignment * alignment
            end = offset + size
            properties.append(Property(name: label.hasPrefix("_") ? String(label.dropFirst()) : label, offset: offset, type: type))
        }
        guard end == MemoryLayout<M>.size else { return nil }
        self.properties = properties
    }

    private static func sizeAndAlignment(of type: Any.Type) -> (size: Int, alignment: Int) {
        func measure<T>(_ type: T.Type) -> (Int, Int) { (MemoryLayout<T>.size, MemoryLayout<T>.alignment) }
        return measure(type)
    }

    /// The stored property `keyPath` reads directly: same offset, same value type.
    func property<M>(at keyPath: PartialKeyPath<M>) -> Property? {
        guard let offset = MemoryLayout<M>.offset(of: keyPath) else { return nil }
        let valueType = Swift.type(of: keyPath).valueType
        let matches = properties.filter { $0.offset == offset && $0.type == valueType }
        // Two empty properties of one type share an offset: neither can be told apart.
        return matches.count == 1 ? matches.first : nil
    }
}
