// Events.swift — typed event queues that live one tick.
//
// An event sent during tick N can be read until the end of tick N+1, then it is dropped. The
// two-buffer scheme means every system that runs once per tick sees each event exactly once,
// whether it runs before or after the sender, when it reads through an `EventReader`.

@usableFromInline
class AnyEventQueue {
    func swapBuffers() {}
    var sequenceEnd: Int { 0 }
    var eventTypeName: String { "" }
}

final class EventQueue<E>: AnyEventQueue {
    var previous: [E] = []
    var current: [E] = []
    /// Sequence number of `previous[0]`; events are numbered in send order.
    var previousStart = 0

    var nextSequence: Int { previousStart + previous.count + current.count }
    override var sequenceEnd: Int { nextSequence }
    override var eventTypeName: String { String(reflecting: E.self) }

    override func swapBuffers() {
        previousStart += previous.count
        previous = current
        current = []
    }
}

/// A cursor that returns each event once.
public struct EventReader<E> {
    var nextSequence = 0
    public init() {}
    init(position: Int) { nextSequence = position }

    /// A reader that skips every event already sent: it returns only those sent from now on.
    public init(after world: World) { nextSequence = world.eventQueue(E.self).nextSequence }

    /// The events sent since this reader last read, oldest first.
    public mutating func read(_ world: World) -> [E] {
        let queue = world.eventQueue(E.self)
        if nextSequence == queue.nextSequence { return [] }
        let all = queue.previous + queue.current
        let skip = max(0, nextSequence - queue.previousStart)
        nextSequence = queue.nextSequence
        return skip < all.count ? Array(all[skip...]) : []
    }
}

extension World {
    func eventQueue<E>(_ type: E.Type) -> EventQueue<E> {
        if let queue = eventQueues[ObjectIdentifier(E.self)] as? EventQueue<E> { return queue }
        let queue = EventQueue<E>()
        eventQueues[ObjectIdentifier(E.self)] = queue
        eventQueueOrder.append(queue)
        return queue
    }

    public func send<E>(_ event: E) {
        eventQueue(E.self).current.append(event)
    }

    /// Every live event of this type (sent this tick or the one before), oldest first.
    public func events<E>(_ type: E.Type) -> [E] {
        let queue = eventQueue(E.self)
        return queue.previous + queue.current
    }

    /// Ends the events' tick: last tick's events are dropped, this tick's become last tick's.
    /// The schedule calls this once at the end of every run.
    public func updateEvents() {
        for queue in eventQueueOrder { queue.swapBuffers() }
    }
}
