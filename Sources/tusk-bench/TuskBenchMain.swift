// The benchmark's code lives in TuskBenchKit, a library, so that the test targets can import it:
// an executable whose dependencies include a macro (the benchmark's @Model models) cannot be.
import ArgumentParser
import TuskBenchKit

/// Runs the `tusk-bench` command.
@main
enum TuskBenchMain {
    static func main() async {
        await TuskBench.main(nil)
    }
}
