// RegistryTests — the carbon registry: each operation, splitting and merging of blocks, vintage
// order, refused operations changing nothing, random operation sequences checked unit by unit
// against a plain model, and the save codec (round trip, truncated and damaged bytes).
import CitySim
import ECS
import XCTest

private let gov: RegistryAccountID = 1
private let firmA: RegistryAccountID = 2
private let firmB: RegistryAccountID = 3
private let project: RegistryAccountID = 4
private let consumer: RegistryAccountID = 5

final class RegistryTests: XCTestCase {
    // MARK: - Fixtures

    /// A registry with a government, two firms, a project and a consumer: accounts `gov`…`consumer`.
    private func fiveAccounts() -> CarbonRegistry {
        var registry = CarbonRegistry()
        let ids = [
            registry.openAccount(.government, name: Names(en: "City", zh: "市")),
            registry.openAccount(.firm, name: Names(en: "Steel", zh: "钢"), entity: Entity(index: 7, generation: 1)),
            registry.openAccount(.firm, name: Names(en: "Cement", zh: "水泥"), entity: Entity(index: 9, generation: 2)),
            registry.openAccount(.project, name: Names(en: "Forest", zh: "森林")),
            registry.openAccount(.consumer, name: Names(en: "Data centre", zh: "数据中心")),
        ]
        XCTAssertEqual(ids, [gov, firmA, firmB, project, consumer], "accounts are numbered from 1 in order of opening")
        return registry
    }

    private func block(_ kind: RegistryUnitKind, _ first: UInt64, _ count: Int64, vintage: Int32, owner: Int32,
                       _ status: RegistryUnitStatus, origin: Int32) -> UnitBlock {
        UnitBlock(kind: kind, firstSerial: first, count: count, vintage: vintage, owner: owner, status: status, origin: origin)
    }

    // MARK: - Accounts and issuance

    func testNewRegistryHasOnlyTheOutsideAccount() {
        let registry = CarbonRegistry()
        XCTAssertEqual(registry.accounts.count, 1)
        XCTAssertEqual(registry.accounts[0].id, CarbonRegistry.outside)
        XCTAssertEqual(registry.accounts[0].kind, .outside)
        XCTAssertEqual(registry.accounts[0].name, Names(en: "Buyers outside the city", zh: "市外买家"))
        XCTAssertTrue(registry.blocks.isEmpty)
        XCTAssertTrue(registry.history.isEmpty)
        for kind in RegistryUnitKind.allCases { XCTAssertEqual(registry.totalIssued(kind), 0) }
        XCTAssertEqual(registry.audit(), [])
    }

    func testOpenAccountAndLookUpByIdAndEntity() {
        let registry = fiveAccounts()
        XCTAssertEqual(registry.account(firmB)?.name.en, "Cement")
        XCTAssertEqual(registry.account(firmB)?.kind, .firm)
        XCTAssertNil(registry.account(6))
        XCTAssertNil(registry.account(-1))
        XCTAssertEqual(registry.account(for: Entity(index: 7, generation: 1)), firmA)
        XCTAssertEqual(registry.account(for: Entity(index: 9, generation: 2)), firmB)
        XCTAssertNil(registry.account(for: Entity(index: 9, generation: 3)), "another generation is another entity")
    }

    func testIssueNumbersSerialsPerKindFromOne() throws {
        var registry = fiveAccounts()
        XCTAssertEqual(try registry.issue(.allowance, count: 100, vintage: 2025, to: gov, tick: 0), 1...100)
        XCTAssertEqual(try registry.issue(.offset, count: 5, vintage: 2025, to: project, tick: 1), 1...5)
        XCTAssertEqual(try registry.issue(.allowance, count: 20, vintage: 2026, to: gov, tick: 2), 101...120)
        XCTAssertEqual(registry.totalIssued(.allowance), 120)
        XCTAssertEqual(registry.totalIssued(.offset), 5)
        XCTAssertEqual(registry.totalIssued(.certificate), 0)
        XCTAssertEqual(registry.blocks, [
            block(.allowance, 1, 100, vintage: 2025, owner: gov, .issued, origin: gov),
            block(.allowance, 101, 20, vintage: 2026, owner: gov, .issued, origin: gov),
            block(.offset, 1, 5, vintage: 2025, owner: project, .issued, origin: project),
        ], "sorted by kind, then serial")
        XCTAssertEqual(registry.balance(gov, .allowance), 120)
        XCTAssertEqual(registry.balance(gov, .allowance, vintage: 2026), 20)
        XCTAssertEqual(registry.history.count, 3)
        XCTAssertEqual(registry.history[2], RegistryEntry(tick: 2, operation: .issue, kind: .allowance, vintage: 2026,
                                                          firstSerial: 101, count: 20, from: gov, to: gov))
        XCTAssertEqual(registry.audit(), [])
    }

    func testConsecutiveIssuesToOneAccountAndVintageMergeIntoOneBlock() throws {
        var registry = fiveAccounts()
        for month in 0..<12 { try registry.issue(.certificate, count: 3, vintage: 2030, to: firmA, tick: Int64(month)) }
        XCTAssertEqual(registry.blocks, [block(.certificate, 1, 36, vintage: 2030, owner: firmA, .issued, origin: firmA)])
        XCTAssertEqual(registry.history.count, 12, "one entry per issuance even when blocks merge")
        // A different vintage, owner or kind starts a new block.
        try registry.issue(.certificate, count: 1, vintage: 2031, to: firmA, tick: 12)
        try registry.issue(.certificate, count: 1, vintage: 2031, to: gov, tick: 12)
        try registry.issue(.allowance, count: 1, vintage: 2031, to: gov, tick: 12)
        try registry.issue(.certificate, count: 1, vintage: 2031, to: gov, tick: 13)
        XCTAssertEqual(registry.blocks.count, 4)
        XCTAssertEqual(registry.blocks.last, block(.certificate, 38, 2, vintage: 2031, owner: gov, .issued, origin: gov))
        XCTAssertEqual(registry.audit(), [])
    }

    // MARK: - Moving units

    func testTransferSplitsABlockAndMarksUnitsHeld() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 10, vintage: 2025, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 3, from: gov, to: firmA, tick: 5, note: "free allocation")
        XCTAssertEqual(registry.blocks, [
            block(.allowance, 1, 3, vintage: 2025, owner: firmA, .held, origin: gov),
            block(.allowance, 4, 7, vintage: 2025, owner: gov, .issued, origin: gov),
        ])
        XCTAssertEqual(registry.balance(gov, .allowance), 7)
        XCTAssertEqual(registry.balance(firmA, .allowance), 3)
        XCTAssertEqual(registry.history.last, RegistryEntry(tick: 5, operation: .transfer, kind: .allowance, vintage: 2025,
                                                            firstSerial: 1, count: 3, from: gov, to: firmA, note: "free allocation"))
        XCTAssertEqual(registry.unit(.allowance, serial: 3)?.owner, firmA)
        XCTAssertEqual(registry.unit(.allowance, serial: 4)?.owner, gov)
        XCTAssertEqual(registry.audit(), [])
    }

    func testTransferringTheRestMergesTheBlocksAgain() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 10, vintage: 2025, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 3, from: gov, to: firmA, tick: 1)
        try registry.transfer(.allowance, count: 7, from: gov, to: firmA, tick: 2)
        XCTAssertEqual(registry.blocks, [block(.allowance, 1, 10, vintage: 2025, owner: firmA, .held, origin: gov)])
        // Units that come back to their origin stay "held": they have moved.
        try registry.transfer(.allowance, count: 4, from: firmA, to: firmB, tick: 3)
        try registry.transfer(.allowance, count: 6, from: firmA, to: gov, tick: 4)
        XCTAssertEqual(registry.blocks, [
            block(.allowance, 1, 4, vintage: 2025, owner: firmB, .held, origin: gov),
            block(.allowance, 5, 6, vintage: 2025, owner: gov, .held, origin: gov),
        ])
        XCTAssertEqual(registry.audit(), [])
    }

    func testOperationsTakeTheOldestVintageFirstThenTheLowestSerial() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 5, vintage: 2027, to: gov, tick: 0)   // 1…5
        try registry.issue(.allowance, count: 5, vintage: 2025, to: gov, tick: 0)   // 6…10
        try registry.issue(.allowance, count: 5, vintage: 2026, to: gov, tick: 0)   // 11…15
        try registry.issue(.allowance, count: 5, vintage: 2025, to: gov, tick: 0)   // 16…20
        try registry.transfer(.allowance, count: 12, from: gov, to: firmA, tick: 1)
        let moved = registry.blocks(ownedBy: firmA)
        XCTAssertEqual(moved, [
            block(.allowance, 6, 5, vintage: 2025, owner: firmA, .held, origin: gov),
            block(.allowance, 11, 2, vintage: 2026, owner: firmA, .held, origin: gov),
            block(.allowance, 16, 5, vintage: 2025, owner: firmA, .held, origin: gov),
        ])
        // One entry per block moved, in the order taken.
        XCTAssertEqual(registry.history.suffix(3).map { [$0.firstSerial, UInt64($0.count)] }, [[6, 5], [16, 5], [11, 2]])
        XCTAssertEqual(registry.balance(gov, .allowance), 8)
        XCTAssertEqual(registry.balance(gov, .allowance, vintage: 2027), 5)
        XCTAssertEqual(registry.audit(), [])
    }

    func testAVintageFilterTakesOnlyThatVintage() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 5, vintage: 2025, to: gov, tick: 0)
        try registry.issue(.allowance, count: 5, vintage: 2026, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 2, from: gov, to: firmA, vintage: 2026, tick: 1)
        XCTAssertEqual(registry.blocks(ownedBy: firmA), [block(.allowance, 6, 2, vintage: 2026, owner: firmA, .held, origin: gov)])
        XCTAssertEqual(registry.balance(gov, .allowance, vintage: 2025), 5)
        XCTAssertThrowsError(try registry.surrender(.allowance, count: 4, from: gov, vintage: 2026, tick: 2)) { error in
            XCTAssertEqual(error as? RegistryError, .insufficientHoldings(account: gov, kind: .allowance, wanted: 4, held: 3))
        }
        XCTAssertThrowsError(try registry.surrender(.allowance, count: 1, from: gov, vintage: 2024, tick: 2)) { error in
            XCTAssertEqual(error as? RegistryError, .insufficientHoldings(account: gov, kind: .allowance, wanted: 1, held: 0))
        }
        XCTAssertEqual(registry.audit(), [])
    }

    func testSurrenderRetireAndCancelAreFinalAndKeepTheOwner() throws {
        for (operation, status) in [(RegistryOperation.surrender, RegistryUnitStatus.surrendered), (.retire, .retired), (.cancel, .cancelled)] {
            var registry = fiveAccounts()
            try registry.issue(.offset, count: 10, vintage: 2025, to: gov, tick: 0)
            try registry.transfer(.offset, count: 10, from: gov, to: firmA, tick: 1)
            func apply(_ count: Int64) throws {
                switch operation {
                case .surrender: try registry.surrender(.offset, count: count, from: firmA, tick: 2)
                case .retire: try registry.retire(.offset, count: count, from: firmA, tick: 2)
                default: try registry.cancel(.offset, count: count, from: firmA, tick: 2)
                }
            }
            try apply(4)
            XCTAssertEqual(registry.blocks, [
                block(.offset, 1, 4, vintage: 2025, owner: firmA, status, origin: gov),
                block(.offset, 5, 6, vintage: 2025, owner: firmA, .held, origin: gov),
            ], "\(operation)")
            XCTAssertEqual(registry.balance(firmA, .offset), 6)
            XCTAssertEqual(registry.total(.offset, status: status), 4)
            XCTAssertEqual(registry.history.last?.from, firmA)
            XCTAssertEqual(registry.history.last?.to, firmA)
            XCTAssertEqual(registry.history.last?.operation, operation)
            // The final units are never taken again: asking for more than the 6 usable ones fails.
            XCTAssertThrowsError(try apply(7)) { error in
                XCTAssertEqual(error as? RegistryError, .insufficientHoldings(account: firmA, kind: .offset, wanted: 7, held: 6))
            }
            XCTAssertThrowsError(try registry.transfer(.offset, count: 7, from: firmA, to: gov, tick: 3))
            try registry.transfer(.offset, count: 6, from: firmA, to: gov, tick: 3)
            XCTAssertEqual(registry.unit(.offset, serial: 4)?.status, status)
            XCTAssertEqual(registry.unit(.offset, serial: 4)?.owner, firmA)
            XCTAssertEqual(registry.unit(.offset, serial: 5)?.owner, gov)
            XCTAssertTrue(status.isFinal)
            XCTAssertEqual(registry.audit(), [])
        }
    }

    func testExportSendsUnitsOutsideForGood() throws {
        var registry = fiveAccounts()
        try registry.issue(.offset, count: 8, vintage: 2025, to: project, tick: 0)
        try registry.export(.offset, count: 5, from: project, tick: 1, note: "sold to a buyer abroad")
        XCTAssertEqual(registry.blocks, [
            block(.offset, 1, 5, vintage: 2025, owner: CarbonRegistry.outside, .transferred, origin: project),
            block(.offset, 6, 3, vintage: 2025, owner: project, .issued, origin: project),
        ])
        XCTAssertEqual(registry.balance(project, .offset), 3)
        XCTAssertEqual(registry.balance(CarbonRegistry.outside, .offset), 0, "sold units are not usable by anyone in the city")
        XCTAssertEqual(registry.total(.offset, status: .transferred), 5)
        XCTAssertEqual(registry.history.last?.to, CarbonRegistry.outside)
        XCTAssertEqual(registry.history(of: CarbonRegistry.outside).count, 1)
        XCTAssertThrowsError(try registry.retire(.offset, count: 1, from: CarbonRegistry.outside, tick: 2)) { error in
            XCTAssertEqual(error as? RegistryError, .outsideIsSource(.retire))
        }
        XCTAssertEqual(registry.audit(), [])
    }

    func testHistoryOfAnAccountAndBlocksOwnedBy() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 10, vintage: 2025, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 6, from: gov, to: firmA, tick: 1)
        try registry.transfer(.allowance, count: 2, from: firmA, to: firmB, tick: 2)
        try registry.surrender(.allowance, count: 2, from: firmB, tick: 3)
        XCTAssertEqual(registry.history(of: gov).map(\.operation), [.issue, .transfer])
        XCTAssertEqual(registry.history(of: firmA).map(\.tick), [1, 2])
        XCTAssertEqual(registry.history(of: firmB).map(\.operation), [.transfer, .surrender])
        XCTAssertEqual(registry.blocks(ownedBy: firmB), [block(.allowance, 1, 2, vintage: 2025, owner: firmB, .surrendered, origin: gov)])
        XCTAssertEqual(registry.blocks(ownedBy: firmA).map(\.count), [4])
    }

    func testUnitLookupAndSerialText() throws {
        var registry = fiveAccounts()
        try registry.issue(.certificate, count: 200, vintage: 2030, to: gov, tick: 0)
        try registry.transfer(.certificate, count: 123, from: gov, to: consumer, tick: 1)
        XCTAssertEqual(registry.unit(.certificate, serial: 123),
                       block(.certificate, 123, 1, vintage: 2030, owner: consumer, .held, origin: gov))
        XCTAssertEqual(registry.unit(.certificate, serial: 124)?.owner, gov)
        XCTAssertNil(registry.unit(.certificate, serial: 0))
        XCTAssertNil(registry.unit(.certificate, serial: 201))
        XCTAssertNil(registry.unit(.allowance, serial: 1))
        XCTAssertEqual(CarbonRegistry.serialText(.certificate, 123), "GC-000000123")
        XCTAssertEqual(CarbonRegistry.serialText(.allowance, 1), "AL-000000001")
        XCTAssertEqual(CarbonRegistry.serialText(.offset, 12_345_678_901), "OF-12345678901")
        XCTAssertEqual(RegistryUnitKind.allCases.map(\.key), ["allowance", "offset", "certificate"])
        XCTAssertEqual(RegistryUnitStatus.allCases.filter(\.isFinal), [.transferred, .surrendered, .retired, .cancelled])
        XCTAssertEqual(RegistryUnitStatus.allCases.map(\.key), ["issued", "held", "transferred", "surrendered", "retired", "cancelled"])
    }

    // MARK: - Refused operations

    func testRefusedOperationsThrowAndChangeNothing() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 10, vintage: 2025, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 4, from: gov, to: firmA, tick: 1)
        try registry.retire(.allowance, count: 1, from: firmA, tick: 2)
        try registry.export(.allowance, count: 1, from: firmA, tick: 2)
        let cases: [(String, RegistryError, (inout CarbonRegistry) throws(RegistryError) -> Void)] = [
            ("issue zero", .nonPositiveCount(0), { r throws(RegistryError) in try r.issue(.allowance, count: 0, vintage: 2025, to: gov, tick: 3) }),
            ("issue to nobody", .unknownAccount(99), { r throws(RegistryError) in try r.issue(.allowance, count: 1, vintage: 2025, to: 99, tick: 3) }),
            ("issue outside", .outsideIsDestination(.issue), { r throws(RegistryError) in try r.issue(.offset, count: 1, vintage: 2025, to: 0, tick: 3) }),
            ("issue vintage", .vintageOutOfRange(1 << 40), { r throws(RegistryError) in try r.issue(.offset, count: 1, vintage: 1 << 40, to: gov, tick: 3) }),
            ("issue too many", .serialsExhausted(.allowance), { r throws(RegistryError) in try r.issue(.allowance, count: .max, vintage: 2025, to: gov, tick: 3) }),
            ("transfer negative", .nonPositiveCount(-2), { r throws(RegistryError) in try r.transfer(.allowance, count: -2, from: gov, to: firmA, tick: 3) }),
            ("transfer from nobody", .unknownAccount(-1), { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: -1, to: firmA, tick: 3) }),
            ("transfer to nobody", .unknownAccount(6), { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: gov, to: 6, tick: 3) }),
            ("transfer to self", .sameAccount, { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: gov, to: gov, tick: 3) }),
            ("transfer outside", .outsideIsDestination(.transfer), { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: gov, to: 0, tick: 3) }),
            ("transfer from outside", .outsideIsSource(.transfer), { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: 0, to: gov, tick: 3) }),
            ("transfer too many", .insufficientHoldings(account: gov, kind: .allowance, wanted: 7, held: 6),
             { r throws(RegistryError) in try r.transfer(.allowance, count: 7, from: gov, to: firmA, tick: 3) }),
            ("transfer a kind not held", .insufficientHoldings(account: gov, kind: .offset, wanted: 1, held: 0),
             { r throws(RegistryError) in try r.transfer(.offset, count: 1, from: gov, to: firmA, tick: 3) }),
            ("transfer vintage", .vintageOutOfRange(-(1 << 40)), { r throws(RegistryError) in try r.transfer(.allowance, count: 1, from: gov, to: firmA, vintage: -(1 << 40), tick: 3) }),
            ("surrender too many", .insufficientHoldings(account: firmA, kind: .allowance, wanted: 3, held: 2),
             { r throws(RegistryError) in try r.surrender(.allowance, count: 3, from: firmA, tick: 3) }),
            ("surrender from outside", .outsideIsSource(.surrender), { r throws(RegistryError) in try r.surrender(.allowance, count: 1, from: 0, tick: 3) }),
            ("retire from nobody", .unknownAccount(42), { r throws(RegistryError) in try r.retire(.allowance, count: 1, from: 42, tick: 3) }),
            ("retire too many", .insufficientHoldings(account: firmA, kind: .allowance, wanted: 5, held: 2),
             { r throws(RegistryError) in try r.retire(.allowance, count: 5, from: firmA, tick: 3) }),
            ("cancel zero", .nonPositiveCount(0), { r throws(RegistryError) in try r.cancel(.allowance, count: 0, from: firmA, tick: 3) }),
            ("cancel from outside", .outsideIsSource(.cancel), { r throws(RegistryError) in try r.cancel(.allowance, count: 1, from: 0, tick: 3) }),
            ("export again", .outsideIsSource(.export), { r throws(RegistryError) in try r.export(.allowance, count: 1, from: 0, tick: 3) }),
            ("export too many", .insufficientHoldings(account: gov, kind: .allowance, wanted: 100, held: 6),
             { r throws(RegistryError) in try r.export(.allowance, count: 100, from: gov, tick: 3) }),
        ]
        for (name, expected, operation) in cases {
            var attempt = registry
            do throws(RegistryError) {
                try operation(&attempt)
                XCTFail("\(name): did not throw")
            } catch {
                XCTAssertEqual(error, expected, name)
            }
            XCTAssertEqual(attempt, registry, "\(name): the registry changed")
        }
        XCTAssertEqual(registry.audit(), [])
    }

    func testErrorDescriptionsAreReadable() {
        let errors: [RegistryError] = [
            .unknownAccount(12), .nonPositiveCount(-3), .insufficientHoldings(account: 4, kind: .certificate, wanted: 9, held: 2),
            .sameAccount, .outsideIsSource(.retire), .outsideIsDestination(.issue), .outsideIsDestination(.transfer),
            .vintageOutOfRange(1 << 40), .serialsExhausted(.offset),
        ]
        let texts = errors.map(\.description)
        XCTAssertEqual(Set(texts).count, texts.count, "each error reads differently")
        XCTAssertTrue(texts[0].contains("12"))
        XCTAssertTrue(texts[2].contains("green-power certificates") && texts[2].contains("9") && texts[2].contains("2"))
        XCTAssertTrue(texts[4].contains("retired"))
        XCTAssertTrue(texts[6].contains("export"))
        XCTAssertTrue(texts[8].contains("offset credits"))
        for text in texts { XCTAssertTrue(text.hasSuffix("."), text) }
    }

    // MARK: - Audit

    /// A registry's saved form built by hand from its parts (field names as the save writes
    /// them), so that a test can save records the registry itself would never produce.
    private func handWritten(accounts: [RegistryAccount], issued: [Int64], blocks: [UnitBlock], history: [RegistryEntry]) -> [UInt8] {
        ArchiveValue.object([
            ArchiveField("accounts", try! Archive.encode(accounts)),
            ArchiveField("issued", try! Archive.encode(issued)),
            ArchiveField("blocks", try! Archive.encode(blocks)),
            ArchiveField("history", try! Archive.encode(history)),
        ]).bytes
    }

    /// What loading the hand-written registry reports (the first problem `audit()` finds), or nil if it loads.
    private func loadProblem(_ registry: CarbonRegistry, issued: [Int64]? = nil, blocks: [UnitBlock]? = nil,
                             history: [RegistryEntry]? = nil) -> String? {
        let bytes = handWritten(accounts: registry.accounts, issued: issued ?? RegistryUnitKind.allCases.map(registry.totalIssued),
                                blocks: blocks ?? registry.blocks, history: history ?? registry.history)
        do {
            _ = try decode(bytes)
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testAuditFindsDamagedRecords() throws {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 10, vintage: 2025, to: gov, tick: 0)
        try registry.transfer(.allowance, count: 4, from: gov, to: firmA, tick: 1)
        try registry.surrender(.allowance, count: 4, from: firmA, tick: 2)
        XCTAssertEqual(registry.audit(), [])
        XCTAssertEqual(handWritten(accounts: registry.accounts, issued: [10, 0, 0], blocks: registry.blocks, history: registry.history),
                       encoded(registry), "the hand-written layout is the codec's")
        XCTAssertNil(loadProblem(registry))
        let good = registry.blocks
        func expect(_ problem: String?, _ words: String..., line: UInt = #line) {
            guard let problem else { return XCTFail("a damaged registry loaded", line: line) }
            XCTAssertTrue(problem.hasPrefix("the carbon registry does not add up: "), problem, line: line)
            for word in words { XCTAssertTrue(problem.contains(word), "'\(word)' not in: \(problem)", line: line) }
        }
        // A unit appears from nowhere.
        var grown = good
        grown[1].count += 1
        expect(loadProblem(registry, blocks: grown), "units not conserved", "11", "10")
        // Overlapping blocks.
        var overlapping = good
        overlapping[1].firstSerial -= 1
        expect(loadProblem(registry, blocks: overlapping), "overlaps")
        // A block owned by an account that does not exist.
        var orphan = good
        orphan[1].owner = 77
        expect(loadProblem(registry, blocks: orphan), "account 77, which does not exist")
        // Sold without going outside.
        var sold = good
        sold[1].status = .transferred
        expect(loadProblem(registry, blocks: sold), "transferred but owned by account \(gov)")
        // The surrendered units quietly made usable again: only the replay of the history can tell.
        var revived = good
        revived[0].status = .held
        expect(loadProblem(registry, blocks: revived), "replaying the history")
        // Issued counter out of step.
        expect(loadProblem(registry, issued: [11, 0, 0]), "not conserved")
        // A history that moves the surrendered units again cannot be replayed.
        let moveAgain = RegistryEntry(tick: 3, operation: .transfer, kind: .allowance, vintage: 2025, firstSerial: 1, count: 2,
                                      from: firmA, to: gov)
        expect(loadProblem(registry, history: registry.history + [moveAgain]), "history entry 3", "surrendered")
        // Impossible numbers are reported, not trapped on.
        var impossible = good
        impossible[0].count = -5
        impossible[1].firstSerial = .max
        expect(loadProblem(registry, blocks: impossible), "impossible count")
    }

    func testAHistoryThatClaimsOrSellsTheSameUnitsTwiceIsRefused() throws {
        var registry = fiveAccounts()
        try registry.issue(.offset, count: 5, vintage: 2025, to: project, tick: 0)
        try registry.retire(.offset, count: 2, from: project, tick: 1)
        XCTAssertEqual(registry.blocks.map(\.status), [.retired, .issued])
        XCTAssertNil(loadProblem(registry))
        // The same retirement logged twice: the second finds the credits already retired.
        let twice = loadProblem(registry, history: registry.history + [registry.history[1]])
        XCTAssertTrue(twice?.contains("history entry 2") == true && twice?.contains("retired") == true, twice ?? "loaded")
        // Selling credits abroad and then retiring them at home.
        var sold = registry
        try sold.export(.offset, count: 3, from: project, tick: 2)
        var claimedAgain = sold.history
        claimedAgain.append(RegistryEntry(tick: 3, operation: .retire, kind: .offset, vintage: 2025, firstSerial: 3, count: 1,
                                          from: project, to: project))
        let problem = loadProblem(sold, history: claimedAgain)
        XCTAssertTrue(problem?.contains("history entry 3") == true && problem?.contains("transferred") == true, problem ?? "loaded")
        // A retirement of units that were never issued.
        let phantom = RegistryEntry(tick: 3, operation: .retire, kind: .offset, vintage: 2025, firstSerial: 6, count: 1,
                                    from: project, to: project)
        XCTAssertTrue(loadProblem(registry, history: registry.history + [phantom])?.contains("not issued yet") == true)
    }

    // MARK: - Scale

    /// Certificates issued monthly per plant for 40 years, sold to consumers and retired yearly.
    func testFortyYearsOfMonthlyCertificatesStayConsistent() throws {
        var registry = CarbonRegistry()
        let plants = (0..<20).map { registry.openAccount(.generator, name: Names(en: "Plant \($0)", zh: "电厂\($0)")) }
        let consumers = (0..<10).map { registry.openAccount(.consumer, name: Names(en: "User \($0)", zh: "用户\($0)")) }
        var tick: Int64 = 0
        var retired: Int64 = 0
        for year in 2030..<2070 {
            for month in 0..<12 {
                for (p, plant) in plants.enumerated() {
                    try registry.issue(.certificate, count: Int64(50 + p), vintage: year, to: plant, tick: tick)
                    try registry.transfer(.certificate, count: Int64(20 + p), from: plant, to: consumers[(p + month) % consumers.count],
                                          tick: tick)
                }
                tick += 730
            }
            for consumer in consumers {
                let held = registry.balance(consumer, .certificate)
                try registry.retire(.certificate, count: held / 2, from: consumer, tick: tick)
                retired += held / 2
            }
        }
        let issued = (0..<20).reduce(Int64(0)) { $0 + Int64(50 + $1) } * 12 * 40
        XCTAssertEqual(registry.totalIssued(.certificate), issued)
        XCTAssertEqual(registry.total(.certificate, status: .retired), retired)
        XCTAssertEqual(registry.total(.certificate), issued)
        XCTAssertGreaterThan(registry.blocks.count, 1000)
        XCTAssertEqual(registry.audit(), [])
    }

    // MARK: - Random sequences against a unit-by-unit model


    private struct ModelUnit: Equatable {
        var owner: Int32
        var status: RegistryUnitStatus
        var vintage: Int32
        var origin: Int32
    }

    /// The registry's blocks expanded to one record per unit, per kind.
    private func units(of registry: CarbonRegistry) -> [[ModelUnit]] {
        var result = [[ModelUnit]](repeating: [], count: RegistryUnitKind.allCases.count)
        for block in registry.blocks {
            for _ in 0..<block.count {
                result[Int(block.kind.rawValue)].append(ModelUnit(owner: block.owner, status: block.status, vintage: block.vintage,
                                                                  origin: block.origin))
            }
        }
        return result
    }

    func testRandomOperationSequencesAgreeWithAUnitByUnitModel() throws {
        let sequences = 300, operationsPerSequence = 200
        var refused = 0, succeeded = 0
        var byOperation = [Int](repeating: 0, count: RegistryOperation.allCases.count)
        for seed in 0..<sequences {
            var random = SplitMix64(seed: UInt64(seed) &* 0x1234_5678_9ABC_DEF1)
            var registry = CarbonRegistry()
            let kinds: [RegistryAccountKind] = [.government, .firm, .firm, .project, .generator, .consumer, .bufferPool]
            for (i, kind) in kinds.enumerated() { _ = registry.openAccount(kind, name: Names(en: "A\(i)", zh: "甲\(i)")) }
            let accountCount = Int32(registry.accounts.count)
            var model = [[ModelUnit]](repeating: [], count: RegistryUnitKind.allCases.count)

            for step in 0..<operationsPerSequence {
                let tick = Int64(step)
                let kind = RegistryUnitKind.allCases[random.below(3)]
                let k = Int(kind.rawValue)
                // Issue and transfer more often than the four one-way operations.
                let operation = [RegistryOperation.issue, .issue, .issue, .transfer, .transfer, .surrender, .retire, .cancel, .export,
                                 RegistryOperation.allCases[random.below(6)]][random.below(10)]
                // Mostly valid accounts, sometimes the outside one or one that does not exist.
                func pickAccount() -> Int32 {
                    switch random.below(20) {
                    case 0: return 0
                    case 1: return accountCount + Int32(random.below(3))
                    default: return 1 + Int32(random.below(Int(accountCount) - 1))
                    }
                }
                // Usually an account that holds some of this kind, so that most operations can succeed.
                let holders = (1..<accountCount).filter { a in model[k].contains { $0.owner == a && $0.status.isUsable } }
                let from = operation != .issue && !holders.isEmpty && random.below(5) != 0
                    ? holders[random.below(holders.count)] : pickAccount()
                var to = operation == .transfer ? pickAccount() : from
                if operation == .export { to = CarbonRegistry.outside }
                let vintage: Int? = operation == .issue || random.below(4) == 0 ? 2020 + random.below(5) : nil
                let usable = model[k].indices.filter {
                    model[k][$0].owner == from && model[k][$0].status.isUsable && (vintage == nil || Int(model[k][$0].vintage) == vintage)
                }
                // Counts around the holdings, so that some ask for more than is usable; a few are not positive.
                let count: Int64 = random.below(25) == 0 ? -Int64(random.below(2))
                    : operation == .issue ? 1 + Int64(random.below(20))
                    : random.below(5) == 0 ? Int64(usable.count + 1 + random.below(3)) : 1 + Int64(random.below(max(1, usable.count)))

                // What the model says should happen (checks in the order the registry documents).
                var expected: RegistryError?
                func known(_ id: Int32) -> Bool { id >= 0 && id < accountCount }
                if count <= 0 { expected = .nonPositiveCount(count) }
                else if operation == .issue {
                    if !known(to) { expected = .unknownAccount(to) } else if to == 0 { expected = .outsideIsDestination(.issue) }
                } else if !known(from) { expected = .unknownAccount(from) }
                else if !known(to) { expected = .unknownAccount(to) }
                else if from == 0 { expected = .outsideIsSource(operation) }
                else if operation == .transfer && to == 0 { expected = .outsideIsDestination(.transfer) }
                else if operation == .transfer && to == from { expected = .sameAccount }
                else if count > Int64(usable.count) {
                    expected = .insufficientHoldings(account: from, kind: kind, wanted: count, held: Int64(usable.count))
                }

                let before = registry
                let beforeUnits = units(of: registry)
                do throws(RegistryError) {
                    switch operation {
                    case .issue: try registry.issue(kind, count: count, vintage: vintage!, to: to, tick: tick)
                    case .transfer: try registry.transfer(kind, count: count, from: from, to: to, vintage: vintage, tick: tick)
                    case .surrender: try registry.surrender(kind, count: count, from: from, vintage: vintage, tick: tick)
                    case .retire: try registry.retire(kind, count: count, from: from, vintage: vintage, tick: tick)
                    case .cancel: try registry.cancel(kind, count: count, from: from, vintage: vintage, tick: tick)
                    case .export: try registry.export(kind, count: count, from: from, vintage: vintage, tick: tick)
                    }
                    XCTAssertNil(expected, "seed \(seed) step \(step): \(operation) succeeded but the model expected \(expected!)")
                    succeeded += 1
                    byOperation[Int(operation.rawValue)] += 1
                    if operation == .issue {
                        let unit = ModelUnit(owner: to, status: .issued, vintage: Int32(vintage!), origin: to)
                        model[k].append(contentsOf: repeatElement(unit, count: Int(count)))
                    } else {
                        // Oldest vintage first, then lowest serial.
                        let taken = usable.sorted { (model[k][$0].vintage, $0) < (model[k][$1].vintage, $1) }.prefix(Int(count))
                        for serial in taken {
                            model[k][serial].owner = to
                            model[k][serial].status = operation.resultingStatus
                        }
                    }
                    let added = registry.history[before.history.count...]
                    XCTAssertFalse(added.isEmpty)
                    XCTAssertEqual(added.reduce(Int64(0)) { $0 + $1.count }, count, "the entries cover exactly the units moved")
                    XCTAssertTrue(added.allSatisfy { $0.operation == operation && $0.from == from && $0.to == to })
                } catch {
                    XCTAssertEqual(error, expected, "seed \(seed) step \(step): \(operation)")
                    XCTAssertEqual(registry, before, "seed \(seed) step \(step): a refused \(operation) changed the registry")
                    refused += 1
                }

                // Invariants after every operation.
                let after = units(of: registry)
                XCTAssertEqual(after, model, "seed \(seed) step \(step): registry and model disagree unit by unit")
                for kind in RegistryUnitKind.allCases {
                    let k = Int(kind.rawValue)
                    XCTAssertEqual(registry.totalIssued(kind), Int64(model[k].count), "units conserved")
                    XCTAssertEqual(registry.total(kind), Int64(model[k].count), "units conserved")
                    for account in 0..<accountCount {
                        let modelBalance = model[k].filter { $0.owner == account && $0.status.isUsable }.count
                        XCTAssertEqual(registry.balance(account, kind), Int64(modelBalance), "seed \(seed) step \(step): balance")
                    }
                    for serial in beforeUnits[k].indices where beforeUnits[k][serial].status.isFinal {
                        // A final unit never changes again; a cancelled one never comes back.
                        XCTAssertEqual(after[k][serial], beforeUnits[k][serial], "seed \(seed) step \(step): \(kind) \(serial + 1) moved after being final")
                    }
                }
                for (a, b) in zip(registry.blocks, registry.blocks.dropFirst()) {
                    let mergeable = a.kind == b.kind && a.owner == b.owner && a.status == b.status && a.vintage == b.vintage
                        && a.origin == b.origin && a.lastSerial + 1 == b.firstSerial
                    XCTAssertFalse(mergeable, "seed \(seed) step \(step): blocks left unmerged")
                }
                let problems = registry.audit()
                XCTAssertEqual(problems, [], "seed \(seed) step \(step)")
                if !problems.isEmpty || after != model { return }  // one failure is enough to read
            }
        }
        // The generator exercised every path.
        XCTAssertGreaterThan(refused, sequences * operationsPerSequence / 10)
        XCTAssertGreaterThan(succeeded, sequences * operationsPerSequence / 3)
        print("registry property test: \(succeeded) operations succeeded, \(refused) refused; successes by operation \(byOperation)")
        for (operation, n) in zip(RegistryOperation.allCases, byOperation) { XCTAssertGreaterThan(n, 100, "\(operation) rarely succeeded") }
    }

    // MARK: - Save codec

    /// A registry with every status, two vintages, notes and entities.
    private func savedRegistry() throws -> CarbonRegistry {
        var registry = fiveAccounts()
        try registry.issue(.allowance, count: 100, vintage: 1_234_567_890, to: gov, tick: 0, note: "cap 2025")
        try registry.issue(.allowance, count: 50, vintage: 2026, to: gov, tick: 1)
        try registry.transfer(.allowance, count: 60, from: gov, to: firmA, tick: 2, note: "allocation")
        try registry.transfer(.allowance, count: 20, from: firmA, to: firmB, tick: 3, note: "trade at 68.38 元/t")
        try registry.surrender(.allowance, count: 30, from: firmA, tick: 4)
        try registry.issue(.offset, count: 40, vintage: 2025, to: project, tick: 5)
        try registry.export(.offset, count: 10, from: project, tick: 6)
        try registry.cancel(.offset, count: 5, from: project, tick: 7)
        try registry.issue(.certificate, count: 12, vintage: 2025, to: project, tick: 8)
        try registry.transfer(.certificate, count: 12, from: project, to: consumer, tick: 9)
        try registry.retire(.certificate, count: 7, from: consumer, tick: 10)
        return registry
    }

    private func encoded(_ registry: CarbonRegistry) -> [UInt8] {
        try! SaveGame.encodeResource(registry)
    }

    private func decode(_ bytes: [UInt8]) throws -> CarbonRegistry {
        try SaveGame.decodeResource(CarbonRegistry.self, from: bytes)
    }

    func testSaveRoundTripGivesAnEqualRegistry() throws {
        let registry = try savedRegistry()
        XCTAssertEqual(Set(registry.blocks.map(\.status)).count, RegistryUnitStatus.allCases.count, "every status is saved")
        let bytes = encoded(registry)
        let loaded = try decode(bytes)
        XCTAssertEqual(loaded, registry)
        XCTAssertEqual(loaded.account(for: Entity(index: 9, generation: 2)), 3)
        XCTAssertEqual(encoded(loaded), bytes, "saving the loaded registry gives the same bytes")
        XCTAssertEqual(try decode(encoded(CarbonRegistry())), CarbonRegistry())
        // The loaded registry keeps working: serials continue where they stopped.
        var continued = loaded
        XCTAssertEqual(try continued.issue(.allowance, count: 1, vintage: 2027, to: 1, tick: 11), 151...151)
    }

    func testTruncatedSavesThrow() throws {
        let bytes = encoded(try savedRegistry())
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try decode(Array(bytes[..<length])), "a save cut to \(length) of \(bytes.count) bytes was accepted")
        }
    }

    func testDamagedSaveFieldsThrowRatherThanLoad() throws {
        let tree = try Archive.encode(try savedRegistry())
        guard case .array(let blocks)? = tree["blocks"], case .array(let accounts)? = tree["accounts"] else {
            return XCTFail("the registry archives its blocks and accounts as lists")
        }
        // The block of vintage 1,234,567,890 (a unique value) is the one damaged.
        let first = try XCTUnwrap(blocks.firstIndex { $0["vintage"] == .int(1_234_567_890) })
        func damaged(_ list: String, _ index: Int, _ field: String, _ value: ArchiveValue) -> ArchiveValue {
            guard case .array(var items)? = tree[list] else { return tree }
            items[index].set(field, value)
            var copy = tree
            copy.set(list, .array(items))
            return copy
        }
        let cases: [(String, ArchiveValue, String)] = [
            ("status out of range", damaged("blocks", first, "status", .uint(200)), "RegistryUnitStatus"),
            ("kind out of range", damaged("blocks", first, "kind", .uint(9)), "RegistryUnitKind"),
            ("owner changed to another account", damaged("blocks", first, "owner", .int(3)), "does not add up"),
            ("status changed to retired", damaged("blocks", first, "status", .uint(UInt64(RegistryUnitStatus.retired.rawValue))), "does not add up"),
            ("count changed", damaged("blocks", first, "count", .int(99)), "does not add up"),
            ("first serial changed", damaged("blocks", first, "firstSerial", .uint(3)), "does not add up"),
            ("origin changed", damaged("blocks", first, "origin", .int(5)), "does not add up"),
            ("account kind out of range", damaged("accounts", 0, "kind", .uint(200)), "RegistryAccountKind"),
            ("account id changed", damaged("accounts", 0, "id", .int(1)), "does not add up"),
            ("a field of the wrong type", damaged("blocks", first, "count", .string("many")), "count"),
            ("a field missing", damaged("blocks", first, "owner", .null), "owner"),
        ]
        XCTAssertEqual(accounts.count, 6, "the outside world and five accounts")
        for (name, bad, expected) in cases {
            XCTAssertNotEqual(bad, tree)
            XCTAssertThrowsError(try decode(bad.bytes), name) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(name): \(error)")
            }
        }
        // The block's vintage is also in the history: changing only one copy is found by the replay.
        XCTAssertThrowsError(try decode(damaged("blocks", first, "vintage", .int(0)).bytes))
    }

    func testEveryFlippedByteThrowsOrLoadsAConsistentRegistry() throws {
        let bytes = encoded(try savedRegistry())
        let holdings = try decode(bytes).blocks
        var threw = 0
        for offset in bytes.indices {
            var bad = bytes
            bad[offset] ^= 0xFF
            do {
                let loaded = try decode(bad)
                // Only free text, ticks or entities may change unnoticed; the holdings must still add up.
                XCTAssertEqual(loaded.audit(), [], "byte \(offset)")
                XCTAssertEqual(loaded.blocks, holdings, "byte \(offset) changed the holdings and was accepted")
            } catch {
                threw += 1
            }
        }
        XCTAssertGreaterThan(threw, bytes.count / 2, "most damaged bytes are refused")
    }
}
