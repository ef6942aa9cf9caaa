// Registry.swift — the carbon registry: who holds every allowance, offset credit and green-power
// certificate, unit by unit, and everything that ever happened to each one.
//
// [SECTION] Units, statuses and accounts
// [SECTION] Blocks and history entries
// [SECTION] Errors
// [SECTION] The registry: accounts and issuance
// [SECTION] Moving units: transfer, surrender, retire, cancel, export
// [SECTION] Reading: balances, totals, serials
// [SECTION] Audit and replay
// [SECTION] Save codec
//
// The registry record is the final word on who holds a unit (《元宇宙与碳中和》, 2022, ch. 2), and no reduction
// may be counted twice (§11). Every unit therefore has a serial number, counted per kind from 1
// and never reused, so it can be named ("GC-000000123"), followed and claimed once. Units are
// stored as blocks: runs of consecutive serials with the same kind, owner, status, vintage and
// origin. An operation takes the units it needs (usable ones only, oldest vintage first, then
// lowest serial), splits a block where it takes only part of it, and merges neighbours that end up
// identical, so the block array is as small as the distinct holdings it records, whatever the
// number of units.
//
// Statuses, and why each exists:
//   issued       still in the account it was issued to, never moved: a plant's own certificates
//                or a project's unsold credits, which the registry can tell from bought ones.
//   held         moved at least once between accounts in the city (bought, granted, pooled).
//   transferred  sold to a buyer outside the city; the owner becomes the `outside` account. The
//                city's claim goes down by exactly what the buyer's goes up (the corresponding
//                adjustment), so the city can no longer count that reduction.
//   surrendered  handed in for compliance against a year's emissions (cap and trade).
//   retired      claimed by its holder against its own footprint: a credit is retired once used.
//   cancelled    withdrawn with nobody's claim (a buffer pool covering a reversal, an over-issue).
// The last four are final: no operation takes a unit in a final status, which is what makes a
// second claim impossible. Surrender, retire and cancel leave the owner as it was, so the record
// still shows who made the claim. Issued and held units are "usable": they count in balances.
//
// Every change is logged, one `RegistryEntry` per block moved. `audit()` replays that history
// from an empty registry and requires the same blocks, which proves that no unit in a final status
// was ever moved again; it also checks conservation and coverage of serials from scratch.
import ECS

// MARK: - [SECTION] Units, statuses and accounts

public typealias RegistryAccountID = Int32

public enum RegistryUnitKind: UInt8, CaseIterable, Sendable, Codable {
    /// A permit to emit one tonne CO2e under the city's cap.
    case allowance
    /// One tonne CO2e reduced or removed by a project, beyond its baseline.
    case offset
    /// A green-power certificate: 1,000 kWh of renewable power (崔雯君, 2026).
    case certificate
    public var key: String { ["allowance", "offset", "certificate"][Int(rawValue)] }
    public var serialPrefix: String { ["AL", "OF", "GC"][Int(rawValue)] }
    /// Plural name for messages.
    public var plural: String { ["allowances", "offset credits", "green-power certificates"][Int(rawValue)] }
}

/// issued: still in the account it was issued to, never moved; held: moved into another account in the city;
/// transferred: sold to a buyer outside the city (leaves the city's accounts; final);
/// surrendered (for compliance), retired (claimed by its holder), cancelled — all final.
public enum RegistryUnitStatus: UInt8, CaseIterable, Sendable, Codable {
    case issued, held, transferred, surrendered, retired, cancelled
    public var key: String { ["issued", "held", "transferred", "surrendered", "retired", "cancelled"][Int(rawValue)] }
    /// No operation takes a unit in a final status again.
    public var isFinal: Bool { rawValue >= RegistryUnitStatus.transferred.rawValue }
    /// Counts in its owner's balance and can be moved or claimed.
    public var isUsable: Bool { !isFinal }
}

public enum RegistryAccountKind: UInt8, CaseIterable, Sendable, Codable {
    case government, firm, project, generator, consumer, platform, bufferPool, outside
    public var key: String {
        ["government", "firm", "project", "generator", "consumer", "platform", "buffer_pool", "outside"][Int(rawValue)]
    }
}

public struct RegistryAccount: Sendable, Equatable, Codable {
    public var id: RegistryAccountID
    public var kind: RegistryAccountKind
    public var name: Names
    /// The building, plant or zone the account belongs to, if any.
    public var entity: Entity?

    public init(id: RegistryAccountID, kind: RegistryAccountKind, name: Names, entity: Entity? = nil) {
        self.id = id
        self.kind = kind
        self.name = name
        self.entity = entity
    }
}

// MARK: - [SECTION] Blocks and history entries

/// A run of consecutive serials with identical attributes.
public struct UnitBlock: Sendable, Equatable, Codable {
    public var kind: RegistryUnitKind
    public var firstSerial: UInt64
    public var count: Int64
    public var vintage: Int32
    public var owner: RegistryAccountID
    public var status: RegistryUnitStatus
    /// The account it was issued to (project, plant, government).
    public var origin: RegistryAccountID

    public init(kind: RegistryUnitKind, firstSerial: UInt64, count: Int64, vintage: Int32, owner: RegistryAccountID,
                status: RegistryUnitStatus, origin: RegistryAccountID) {
        self.kind = kind
        self.firstSerial = firstSerial
        self.count = count
        self.vintage = vintage
        self.owner = owner
        self.status = status
        self.origin = origin
    }

    // Wrapping arithmetic: a damaged block read from a save must not trap before `audit()` reports it.
    public var lastSerial: UInt64 { firstSerial &+ UInt64(truncatingIfNeeded: count) &- 1 }
    /// One past the last serial.
    var endSerial: UInt64 { firstSerial &+ UInt64(truncatingIfNeeded: count) }

    /// Whether `next` continues this block with the same attributes (the two are one block).
    func merges(with next: UnitBlock) -> Bool {
        kind == next.kind && owner == next.owner && status == next.status && vintage == next.vintage
            && origin == next.origin && endSerial == next.firstSerial
    }
}

public enum RegistryOperation: UInt8, CaseIterable, Sendable, Codable {
    case issue, transfer, surrender, retire, cancel, export
    public var key: String { ["issue", "transfer", "surrender", "retire", "cancel", "export"][Int(rawValue)] }
    /// The status units have after this operation.
    public var resultingStatus: RegistryUnitStatus {
        [.issued, .held, .surrendered, .retired, .cancelled, .transferred][Int(rawValue)]
    }
    var pastParticiple: String {
        ["issued", "transferred", "surrendered", "retired", "cancelled", "exported"][Int(rawValue)]
    }
}

/// One block's part in one operation. `from` and `to` are the same account for issue, surrender,
/// retire and cancel (the account that received or claimed the units); `to` is `outside` for export.
public struct RegistryEntry: Sendable, Equatable, Codable {
    public var tick: Int64
    public var operation: RegistryOperation
    public var kind: RegistryUnitKind
    public var vintage: Int32
    public var firstSerial: UInt64
    public var count: Int64
    public var from: RegistryAccountID
    public var to: RegistryAccountID
    public var note: String

    public init(tick: Int64, operation: RegistryOperation, kind: RegistryUnitKind, vintage: Int32, firstSerial: UInt64,
                count: Int64, from: RegistryAccountID, to: RegistryAccountID, note: String = "") {
        self.tick = tick
        self.operation = operation
        self.kind = kind
        self.vintage = vintage
        self.firstSerial = firstSerial
        self.count = count
        self.from = from
        self.to = to
        self.note = note
    }
}

// MARK: - [SECTION] Errors

/// Why an operation was refused. A refused operation changes nothing.
public enum RegistryError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownAccount(RegistryAccountID)
    case nonPositiveCount(Int64)
    /// `held`: the usable units of that kind (and of the vintage asked for, if one was).
    case insufficientHoldings(account: RegistryAccountID, kind: RegistryUnitKind, wanted: Int64, held: Int64)
    case sameAccount
    /// The outside account holds only units sold out of the city, which are final.
    case outsideIsSource(RegistryOperation)
    /// Units are issued to, or transferred into, accounts in the city only (sales out are `export`).
    case outsideIsDestination(RegistryOperation)
    case vintageOutOfRange(Int)
    case serialsExhausted(RegistryUnitKind)

    public var description: String {
        switch self {
        case .unknownAccount(let id):
            return "There is no registry account \(id)."
        case .nonPositiveCount(let count):
            return "A registry operation needs a positive number of units, not \(count)."
        case .insufficientHoldings(let account, let kind, let wanted, let held):
            return "Account \(account) holds \(held) usable \(kind.plural) (not yet surrendered, retired, cancelled or sold), "
                + "fewer than the \(wanted) asked for."
        case .sameAccount:
            return "Units cannot be transferred from an account to itself."
        case .outsideIsSource(let operation):
            return "Units sold to buyers outside the city have left the city's registry for good and cannot be "
                + "\(operation.pastParticiple) again."
        case .outsideIsDestination(.issue):
            return "Units cannot be issued to buyers outside the city: issue them to an account in the city, then export them."
        case .outsideIsDestination:
            return "A transfer to buyers outside the city is a sale out of the city: use export, which marks the units as transferred."
        case .vintageOutOfRange(let vintage):
            return "Vintage \(vintage) is not a year the registry can record."
        case .serialsExhausted(let kind):
            return "The registry has no serial numbers left for \(kind.plural)."
        }
    }
}

// MARK: - [SECTION] The registry: accounts and issuance

public struct CarbonRegistry: Sendable, Equatable, SavedResource {
    /// Indexed by account id; account 0 is the outside world.
    public private(set) var accounts: [RegistryAccount]
    /// Sorted by (kind, firstSerial); per kind they cover serials 1…totalIssued exactly, and no two
    /// neighbours could be merged.
    public private(set) var blocks: [UnitBlock]
    public private(set) var history: [RegistryEntry]
    /// Units issued so far, per kind (index: the kind's raw value) = the last serial given out.
    private var issued: [Int64]

    public static let outside: RegistryAccountID = 0

    public init() {
        accounts = [RegistryAccount(id: Self.outside, kind: .outside,
                                    name: Names(en: "Buyers outside the city", zh: "市外买家"))]
        blocks = []
        history = []
        issued = Array(repeating: 0, count: RegistryUnitKind.allCases.count)
    }

    /// The parts as given, unchecked (the save codec checks them with `audit()`).
    init(unchecked accounts: [RegistryAccount], issued: [Int64], blocks: [UnitBlock], history: [RegistryEntry]) {
        self.accounts = accounts
        self.issued = issued
        self.blocks = blocks
        self.history = history
    }

    /// Opens an account. Kind `.outside` is reserved for account 0, which every registry has.
    public mutating func openAccount(_ kind: RegistryAccountKind, name: Names, entity: Entity? = nil) -> RegistryAccountID {
        precondition(kind != .outside, "the registry has one outside account, CarbonRegistry.outside")
        precondition(accounts.count < Int(Int32.max), "the registry cannot open more accounts")
        let id = RegistryAccountID(accounts.count)
        accounts.append(RegistryAccount(id: id, kind: kind, name: name, entity: entity))
        return id
    }

    /// The first account opened for `entity`.
    public func account(for entity: Entity) -> RegistryAccountID? {
        accounts.first { $0.entity == entity }?.id
    }

    public func account(_ id: RegistryAccountID) -> RegistryAccount? {
        id >= 0 && Int(id) < accounts.count ? accounts[Int(id)] : nil
    }

    /// Issues `count` new units to `to`; returns their serials. Checked in this order: count,
    /// account, not the outside account, vintage, serials left.
    @discardableResult
    public mutating func issue(_ kind: RegistryUnitKind, count: Int64, vintage: Int, to: RegistryAccountID, tick: Int64,
                               note: String = "") throws(RegistryError) -> ClosedRange<UInt64> {
        guard count > 0 else { throw .nonPositiveCount(count) }
        guard account(to) != nil else { throw .unknownAccount(to) }
        guard to != Self.outside else { throw .outsideIsDestination(.issue) }
        guard let year = Int32(exactly: vintage) else { throw .vintageOutOfRange(vintage) }
        let done = issued[Int(kind.rawValue)]
        guard count <= Int64.max - done else { throw .serialsExhausted(kind) }
        let first = UInt64(done) + 1
        Self.appendIssued(UnitBlock(kind: kind, firstSerial: first, count: count, vintage: year, owner: to, status: .issued,
                                    origin: to), to: &blocks)
        issued[Int(kind.rawValue)] = done + count
        history.append(RegistryEntry(tick: tick, operation: .issue, kind: kind, vintage: year, firstSerial: first, count: count,
                                     from: to, to: to, note: note))
        return first...(first + UInt64(count) - 1)
    }

    /// Adds a newly issued block after the last one of its kind (merging with it when it continues it).
    private static func appendIssued(_ block: UnitBlock, to blocks: inout [UnitBlock]) {
        let end = kindRange(block.kind, in: blocks).upperBound
        if end > 0, blocks[end - 1].merges(with: block) {
            blocks[end - 1].count += block.count
        } else {
            blocks.insert(block, at: end)
        }
    }

    // MARK: - [SECTION] Moving units: transfer, surrender, retire, cancel, export

    /// Moves usable units from `from` to another account in the city; they become `.held`.
    public mutating func transfer(_ kind: RegistryUnitKind, count: Int64, from: RegistryAccountID, to: RegistryAccountID,
                                  vintage: Int? = nil, tick: Int64, note: String = "") throws(RegistryError) {
        try take(.transfer, kind, count: count, from: from, to: to, vintage: vintage, tick: tick, note: note)
    }

    /// Hands units in for compliance; they stay in `from`'s records as `.surrendered`.
    public mutating func surrender(_ kind: RegistryUnitKind, count: Int64, from: RegistryAccountID, vintage: Int? = nil,
                                   tick: Int64, note: String = "") throws(RegistryError) {
        try take(.surrender, kind, count: count, from: from, to: from, vintage: vintage, tick: tick, note: note)
    }

    /// Claims units against the holder's own footprint; they stay in `from`'s records as `.retired`.
    public mutating func retire(_ kind: RegistryUnitKind, count: Int64, from: RegistryAccountID, vintage: Int? = nil,
                                tick: Int64, note: String = "") throws(RegistryError) {
        try take(.retire, kind, count: count, from: from, to: from, vintage: vintage, tick: tick, note: note)
    }

    /// Withdraws units with no claim; they stay in `from`'s records as `.cancelled`.
    public mutating func cancel(_ kind: RegistryUnitKind, count: Int64, from: RegistryAccountID, vintage: Int? = nil,
                                tick: Int64, note: String = "") throws(RegistryError) {
        try take(.cancel, kind, count: count, from: from, to: from, vintage: vintage, tick: tick, note: note)
    }

    /// Sells units to a buyer outside the city: status `.transferred`, owner `outside`.
    public mutating func export(_ kind: RegistryUnitKind, count: Int64, from: RegistryAccountID, vintage: Int? = nil,
                                tick: Int64, note: String = "") throws(RegistryError) {
        try take(.export, kind, count: count, from: from, to: Self.outside, vintage: vintage, tick: tick, note: note)
    }

    /// The shared body of the five operations. Checked in this order, before anything changes:
    /// count, `from`, `to`, `from` not outside, (transfer) `to` not outside and not `from`,
    /// vintage, holdings.
    private mutating func take(_ operation: RegistryOperation, _ kind: RegistryUnitKind, count: Int64,
                               from: RegistryAccountID, to: RegistryAccountID, vintage: Int?, tick: Int64,
                               note: String) throws(RegistryError) {
        guard count > 0 else { throw .nonPositiveCount(count) }
        guard account(from) != nil else { throw .unknownAccount(from) }
        guard account(to) != nil else { throw .unknownAccount(to) }
        guard from != Self.outside else { throw .outsideIsSource(operation) }
        if operation == .transfer {
            guard to != Self.outside else { throw .outsideIsDestination(.transfer) }
            guard to != from else { throw .sameAccount }
        }
        var year: Int32?
        if let vintage {
            guard let exact = Int32(exactly: vintage) else { throw .vintageOutOfRange(vintage) }
            year = exact
        }

        var candidates: [Int] = []
        var held: Int64 = 0
        for i in Self.kindRange(kind, in: blocks) {
            let block = blocks[i]
            if block.owner == from, block.status.isUsable, year == nil || block.vintage == year {
                candidates.append(i)
                held += block.count
            }
        }
        guard held >= count else { throw .insufficientHoldings(account: from, kind: kind, wanted: count, held: held) }

        // Oldest vintage first; indices are in serial order, so they break ties by lowest serial.
        candidates.sort { (blocks[$0].vintage, $0) < (blocks[$1].vintage, $1) }
        var runs: [SerialRun] = []
        var left = count
        for i in candidates {
            let block = blocks[i]
            let taken = min(left, block.count)
            runs.append(SerialRun(first: block.firstSerial, count: taken))
            history.append(RegistryEntry(tick: tick, operation: operation, kind: kind, vintage: block.vintage,
                                         firstSerial: block.firstSerial, count: taken, from: from, to: to, note: note))
            left -= taken
            if left == 0 { break }
        }
        runs.sort { $0.first < $1.first }
        let failure = Self.reassign(runs, kind: kind, from: from, vintage: nil, to: to, status: operation.resultingStatus,
                                    in: &blocks)
        precondition(failure == nil, "registry: units selected for \(operation.key) could not be moved: \(failure ?? "")")
    }

    /// Consecutive serials of one kind.
    private struct SerialRun {
        var first: UInt64
        var count: Int64
        var end: UInt64 { first + UInt64(count) }
    }

    /// Gives the units in `runs` (sorted by serial, not overlapping, all issued) to `owner` with
    /// `status`, splitting blocks at the runs' edges and merging neighbours that end up identical.
    /// Every unit taken must be usable, owned by `from` and (if given) of `vintage`; if one is not,
    /// nothing changes and the reason is returned. Rewrites only the blocks the runs touch and
    /// their two neighbours, so its cost is that window plus one shift of the array's tail.
    private static func reassign(_ runs: [SerialRun], kind: RegistryUnitKind, from: RegistryAccountID, vintage: Int32?,
                         to owner: RegistryAccountID, status: RegistryUnitStatus, in blocks: inout [UnitBlock]) -> String? {
        guard let firstRun = runs.first, let lastRun = runs.last else { return nil }
        let range = kindRange(kind, in: blocks)
        guard let low = blockIndex(containing: firstRun.first, in: range, of: blocks),
              let high = blockIndex(containing: lastRun.end - 1, in: range, of: blocks) else {
            return "serials \(serialText(kind, firstRun.first))…\(serialText(kind, lastRun.end - 1)) were never issued"
        }
        let window = max(range.lowerBound, low - 1)...min(range.upperBound - 1, high + 1)
        var rewritten: [UnitBlock] = []
        rewritten.reserveCapacity(window.count + 2)
        var r = 0
        var moved: Int64 = 0
        for i in window {
            let block = blocks[i]
            var cursor = block.firstSerial
            while cursor < block.endSerial {
                while r < runs.count, runs[r].end <= cursor { r += 1 }
                var part = block
                part.firstSerial = cursor
                if r < runs.count, runs[r].first <= cursor {
                    let stop = min(block.endSerial, runs[r].end)
                    guard block.owner == from, block.status.isUsable, vintage == nil || block.vintage == vintage else {
                        return "\(serialText(kind, cursor)) is \(block.status.key) in account \(block.owner), vintage \(block.vintage)"
                    }
                    part.owner = owner
                    part.status = status
                    part.count = Int64(stop - cursor)
                    moved += part.count
                    cursor = stop
                } else {
                    let stop = r < runs.count ? min(block.endSerial, runs[r].first) : block.endSerial
                    part.count = Int64(stop - cursor)
                    cursor = stop
                }
                if let last = rewritten.last, last.merges(with: part) {
                    rewritten[rewritten.count - 1].count += part.count
                } else {
                    rewritten.append(part)
                }
            }
        }
        let wanted = runs.reduce(Int64(0)) { $0 + $1.count }
        guard moved == wanted else { return "only \(moved) of \(wanted) units were found" }
        blocks.replaceSubrange(window, with: rewritten)
        return nil
    }

    /// The indices of `kind`'s blocks (binary search on the (kind, firstSerial) order).
    private static func kindRange(_ kind: RegistryUnitKind, in blocks: [UnitBlock]) -> Range<Int> {
        func partition(_ belowOrAt: (UInt8) -> Bool) -> Int {
            var low = 0, high = blocks.count
            while low < high {
                let mid = (low + high) / 2
                if belowOrAt(blocks[mid].kind.rawValue) { low = mid + 1 } else { high = mid }
            }
            return low
        }
        return partition { $0 < kind.rawValue }..<partition { $0 <= kind.rawValue }
    }

    /// The block in `range` that holds `serial`.
    private static func blockIndex(containing serial: UInt64, in range: Range<Int>, of blocks: [UnitBlock]) -> Int? {
        var low = range.lowerBound, high = range.upperBound
        while low < high {  // first block starting after `serial`
            let mid = (low + high) / 2
            if blocks[mid].firstSerial <= serial { low = mid + 1 } else { high = mid }
        }
        guard low > range.lowerBound, serial < blocks[low - 1].endSerial else { return nil }
        return low - 1
    }

    // MARK: - [SECTION] Reading: balances, totals, serials

    /// Units in `account` that it can still use (status issued or held).
    public func balance(_ account: RegistryAccountID, _ kind: RegistryUnitKind, vintage: Int? = nil) -> Int64 {
        var sum: Int64 = 0
        for i in Self.kindRange(kind, in: blocks) {
            let block = blocks[i]
            if block.owner == account, block.status.isUsable, vintage == nil || Int(block.vintage) == vintage { sum += block.count }
        }
        return sum
    }

    /// Units of `kind` in every account, optionally only those with `status` and of `vintage`.
    public func total(_ kind: RegistryUnitKind, status: RegistryUnitStatus? = nil, vintage: Int? = nil) -> Int64 {
        var sum: Int64 = 0
        for i in Self.kindRange(kind, in: blocks) {
            let block = blocks[i]
            if status == nil || block.status == status, vintage == nil || Int(block.vintage) == vintage { sum += block.count }
        }
        return sum
    }

    public func totalIssued(_ kind: RegistryUnitKind) -> Int64 { issued[Int(kind.rawValue)] }

    /// The one unit's record (count 1), or nil if that serial was never issued.
    public func unit(_ kind: RegistryUnitKind, serial: UInt64) -> UnitBlock? {
        guard let i = Self.blockIndex(containing: serial, in: Self.kindRange(kind, in: blocks), of: blocks) else { return nil }
        var unit = blocks[i]
        unit.firstSerial = serial
        unit.count = 1
        return unit
    }

    /// e.g. "GC-000000123": the kind's prefix and at least nine digits.
    public static func serialText(_ kind: RegistryUnitKind, _ serial: UInt64) -> String {
        let digits = String(serial)
        return kind.serialPrefix + "-" + String(repeating: "0", count: max(0, 9 - digits.count)) + digits
    }

    public func blocks(ownedBy owner: RegistryAccountID) -> [UnitBlock] {
        blocks.filter { $0.owner == owner }
    }

    /// Entries in which the account gave or received units.
    public func history(of account: RegistryAccountID) -> [RegistryEntry] {
        history.filter { $0.from == account || $0.to == account }
    }

    // MARK: - [SECTION] Audit and replay

    /// Every invariant checked from scratch; empty when all hold.
    public func audit() -> [String] {
        var problems: [String] = []
        let kinds = RegistryUnitKind.allCases.count

        if accounts.first?.kind != .outside { problems.append("account 0 is not the outside world") }
        for (i, account) in accounts.enumerated() {
            if Int(account.id) != i { problems.append("account number \(i) has id \(account.id)") }
            if i > 0, account.kind == .outside { problems.append("account \(i) is a second outside account") }
        }
        guard issued.count == kinds else {
            return problems + ["the registry counts issued units for \(issued.count) kinds, not \(kinds)"]
        }
        for kind in RegistryUnitKind.allCases where issued[Int(kind.rawValue)] < 0 {
            problems.append("\(issued[Int(kind.rawValue)]) \(kind.plural) issued is impossible")
        }

        // Order, coverage and conservation, per kind.
        var nextSerial = [UInt64](repeating: 1, count: kinds)
        var sums = [Int64](repeating: 0, count: kinds)
        var previous: UnitBlock?
        for (i, block) in blocks.enumerated() {
            defer { previous = block }
            let k = Int(block.kind.rawValue)
            let name = "block \(i) (\(block.count) \(block.kind.plural) from \(Self.serialText(block.kind, block.firstSerial)))"
            guard block.count > 0, block.firstSerial >= 1, UInt64(block.count) <= UInt64.max - block.firstSerial else {
                problems.append("\(name) has an impossible count or first serial")
                continue
            }
            if let previous, previous.kind.rawValue > block.kind.rawValue {
                problems.append("\(name) comes after a block of \(previous.kind.plural): blocks are out of order")
            }
            if block.firstSerial < nextSerial[k] {
                problems.append("\(name) overlaps the block before it")
            } else if block.firstSerial > nextSerial[k] {
                problems.append("no block holds \(Self.serialText(block.kind, nextSerial[k]))…\(Self.serialText(block.kind, block.firstSerial - 1))")
            }
            nextSerial[k] = block.endSerial
            let (sum, overflow) = sums[k].addingReportingOverflow(block.count)
            sums[k] = overflow ? .max : sum
            if account(block.owner) == nil { problems.append("\(name) is owned by account \(block.owner), which does not exist") }
            if account(block.origin) == nil || block.origin == Self.outside {
                problems.append("\(name) was issued to account \(block.origin), which cannot receive issued units")
            }
            if (block.status == .transferred) != (block.owner == Self.outside) {
                problems.append("\(name) is \(block.status.key) but owned by account \(block.owner)")
            }
            if block.status == .issued, block.owner != block.origin {
                problems.append("\(name) is still 'issued' but owned by account \(block.owner), not its origin \(block.origin)")
            }
            if let previous, previous.merges(with: block) { problems.append("\(name) should have been merged with the block before it") }
        }
        for kind in RegistryUnitKind.allCases {
            let k = Int(kind.rawValue)
            if sums[k] != issued[k] {
                problems.append("units not conserved: the blocks hold \(sums[k]) \(kind.plural), \(issued[k]) were issued")
            }
            if issued[k] >= 0, nextSerial[k] - 1 != UInt64(issued[k]) {
                problems.append("the \(kind.plural)' blocks end at serial \(nextSerial[k] - 1), not at the last one issued (\(issued[k]))")
            }
        }

        switch Self.replay(history, accounts: accounts) {
        case .failure(let problem):
            problems.append(problem.text)
        case .success(let (replayedBlocks, replayedIssued)):
            if replayedIssued != issued {
                problems.append("the history issues \(replayedIssued) units per kind, the registry counts \(issued)")
            }
            if replayedBlocks != blocks {
                let i = zip(replayedBlocks, blocks).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                    ?? min(replayedBlocks.count, blocks.count)
                problems.append("replaying the history gives \(replayedBlocks.count) blocks, the registry has \(blocks.count); "
                    + "they first differ at block \(i)")
            }
        }
        return problems
    }

    private struct ReplayProblem: Error { var text: String }

    /// Applies `history` to an empty registry with these accounts; returns its blocks and issued
    /// counts, or the first entry that could not have happened (such as one moving a unit that was
    /// already surrendered, retired, cancelled or sold).
    private static func replay(_ history: [RegistryEntry], accounts: [RegistryAccount]) -> Result<([UnitBlock], [Int64]), ReplayProblem> {
        var blocks: [UnitBlock] = []
        var issued = [Int64](repeating: 0, count: RegistryUnitKind.allCases.count)
        func exists(_ id: RegistryAccountID) -> Bool { id >= 0 && Int(id) < accounts.count }
        for (n, entry) in history.enumerated() {
            let k = Int(entry.kind.rawValue)
            func failure(_ why: String) -> Result<([UnitBlock], [Int64]), ReplayProblem> {
                .failure(ReplayProblem(text: "history entry \(n) (\(entry.operation.key) of \(entry.count) \(entry.kind.plural) "
                    + "from \(serialText(entry.kind, entry.firstSerial)), account \(entry.from) to \(entry.to)): \(why)"))
            }
            guard entry.count > 0 else { return failure("the count is not positive") }
            guard exists(entry.from), exists(entry.to) else { return failure("an account does not exist") }
            if entry.operation == .issue {
                guard entry.from == entry.to, entry.to != outside else { return failure("units are issued to one account in the city") }
                guard entry.firstSerial == UInt64(issued[k]) + 1 else {
                    return failure("the next serial to issue was \(serialText(entry.kind, UInt64(issued[k]) + 1))")
                }
                guard entry.count <= Int64.max - issued[k] else { return failure("more units than serials") }
                appendIssued(UnitBlock(kind: entry.kind, firstSerial: entry.firstSerial, count: entry.count, vintage: entry.vintage,
                                       owner: entry.to, status: .issued, origin: entry.to), to: &blocks)
                issued[k] += entry.count
                continue
            }
            guard entry.from != outside else { return failure("the outside account holds nothing it can move") }
            switch entry.operation {
            case .transfer: guard entry.to != entry.from, entry.to != outside else { return failure("not a transfer within the city") }
            case .export: guard entry.to == outside else { return failure("an export goes to the outside account") }
            default: guard entry.to == entry.from else { return failure("the units stay with the account that claims them") }
            }
            guard entry.firstSerial >= 1, entry.count <= issued[k], entry.firstSerial - 1 <= UInt64(issued[k] - entry.count) else {
                return failure("those serials were not issued yet")
            }
            if let why = reassign([SerialRun(first: entry.firstSerial, count: entry.count)], kind: entry.kind, from: entry.from,
                                  vintage: entry.vintage, to: entry.to, status: entry.operation.resultingStatus, in: &blocks) {
                return failure(why)
            }
        }
        return .success((blocks, issued))
    }
}

// MARK: - [SECTION] Save codec


/// The registry has no systems of its own: the market, certificates and offsets move its units.
enum CarbonRegistryPlugin: SimulationPlugin {
    static func build(_ sim: SimulationBuilder) {
        sim.resource("registry", CarbonRegistry.self) { _ in CarbonRegistry() }
    }
}

extension CarbonRegistry {
    enum CodingKeys: String, CodingKey { case accounts, issued, blocks, history }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accounts, forKey: .accounts)
        try container.encode(issued, forKey: .issued)
        try container.encode(blocks, forKey: .blocks)
        try container.encode(history, forKey: .history)
    }
    /// A registry read from a save must pass `audit()`: a damaged record is refused, not repaired.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let issued = try container.decode([Int64].self, forKey: .issued)
        guard issued.count == RegistryUnitKind.allCases.count else {
            throw SaveValidationError("the carbon registry counts issued units for \(issued.count) kinds, not \(RegistryUnitKind.allCases.count)")
        }
        self.init(unchecked: try container.decode([RegistryAccount].self, forKey: .accounts), issued: issued,
                  blocks: try container.decode([UnitBlock].self, forKey: .blocks),
                  history: try container.decode([RegistryEntry].self, forKey: .history))
        let problems = audit()
        if let first = problems.first {
            throw SaveValidationError("the carbon registry does not add up: \(first)\(problems.count > 1 ? " (and \(problems.count - 1) more problems)" : "")")
        }
    }
}
