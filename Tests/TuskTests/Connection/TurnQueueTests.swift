import Testing
@testable import Tusk

@Suite struct TurnQueueTests {
    @Test func waitersGetTheTurnInArrivalOrder() {
        var queue = TurnQueue<String>()
        #expect(!queue.mustWait(connectionBusy: false))
        #expect(queue.mustWait(connectionBusy: true))
        for name in ["a", "b", "c"] { queue.enqueue(queue.makeID(), name) }
        #expect(queue.handOff() == "a")
        #expect(queue.handOff() == nil, "one handed-off turn at a time")
    }

    @Test func aCallerArrivingWhileTheChosenWaiterWakesUpQueuesBehindIt() {
        var queue = TurnQueue<String>()
        let first = queue.makeID()
        queue.enqueue(first, "first")
        #expect(queue.handOff() == "first")
        // The operation ended and the connection is free, but the turn belongs to `first`.
        #expect(queue.mustWait(connectionBusy: false), "a newcomer must not overtake the woken waiter")
        queue.enqueue(queue.makeID(), "newcomer")
        queue.claim(first)
        #expect(queue.handOff() == "newcomer")
    }

    @Test func aCancelledWaiterLeavesButOneHandedTheTurnKeepsIt() {
        var queue = TurnQueue<String>()
        let a = queue.makeID()
        let b = queue.makeID()
        queue.enqueue(a, "a")
        queue.enqueue(b, "b")
        #expect(queue.abandon(b) == "b")
        #expect(queue.waitingCount == 1)
        #expect(queue.handOff() == "a")
        #expect(queue.abandon(a) == nil, "a already has the turn")
        queue.claim(a)
        #expect(!queue.mustWait(connectionBusy: false))
    }

    @Test func closingWakesEveryoneInOrderAndForgetsTheHandedTurn() {
        var queue = TurnQueue<String>()
        for name in ["a", "b", "c"] { queue.enqueue(queue.makeID(), name) }
        _ = queue.handOff()
        #expect(queue.removeAll() == ["b", "c"])
        #expect(!queue.mustWait(connectionBusy: false))
    }
}
