// ArchitectureTests — the plugins' schedule and declared access, saves of older formats and
// changed layouts, typed refusals, undo as a command, and replays that say what made them.
@testable import CitySim
import ECS
import Foundation
import Testing

/// The saves of an older format committed under Tests/CitySimTests/Saves/formatN, with what the
/// game that wrote them printed (expected.toml).
struct SaveFixture {
    let folder: String
    let name: String
    let figures: [String: String]

    static func all(format: Int) throws -> [SaveFixture] {
        let folder = repositoryRoot + "/Tests/CitySimTests/Saves/format\(format)"
        let text = try String(contentsOfFile: folder + "/expected.toml", encoding: .utf8)
        var fixtures: [SaveFixture] = []
        var name: String?
        var figures: [String: String] = [:]
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("[") {
                if let name { fixtures.append(SaveFixture(folder: folder, name: name, figures: figures)) }
                name = String(line.dropFirst().dropLast())
                figures = [:]
            } else if let eq = line.firstIndex(of: "=") {
                figures[line[..<eq].trimmingCharacters(in: .whitespaces)] =
                    line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        if let name { fixtures.append(SaveFixture(folder: folder, name: name, figures: figures)) }
        return fixtures
    }

    var path: String { folder + "/\(name).nzsave" }
    func int(_ key: String) -> Int { Int(figures[key]!)! }
    func double(_ key: String) -> Double { Double(figures[key]!)! }
}

@Suite("Architecture")
struct ArchitectureTests {
    /// The resolved order of every system. A change here is a change to the model's meaning:
    /// update it on purpose, with docs/simulation.md.
    @Test func theScheduleRunsInThisOrder() {
        let expected = [
            "phase input", "  input.commands", "  level.built", "  input.networks", "  offsets.register",
            "phase simulate", "  weather", "  buildings.demand", "  sinks.grow", "  accounts.households", "  transport.trips",
            "  transport.flows", "  transport.freight", "  transport.congestion", "  accounts.redeem", "  grid.dispatch", "  grid.attribute",
            "  economy.budget", "  economy.daily", "  policy.fuel_tax", "  policy.adoption", "  certificates.meter",
            "phase account", "  ledger.close", "  clock.advance", "  certificates.year", "  offsets.year", "  market.year",
            "  level.rules", "  journal.year",
        ]
        #expect(Simulation.describeSchedule() == expected)
    }

    /// Every system declares the components and resources it touches; a paused game's commands
    /// go through the same checked input phase.
    @Test func noSystemTouchesWhatItDidNotDeclare() throws {
        let city = City(level: try sandboxWithRules(), catalog: testCatalog)
        for day in 0..<12 {
            playScript(city, day: day)
            city.applyPendingCommands()  // as a paused game does
            city.run(hours: 24)
        }
        #expect(city.schedule.accessViolations == [])
        let access = Simulation.describeSchedule(withAccess: true).joined(separator: "\n")
        #expect(access.contains("resources  writes") && access.contains("Ledger"))
    }

    /// A paused game's forest, under the offset programme, and a `built` trigger: both are acted
    /// on in the input phase, so a save made before the next tick loses neither (events are not
    /// saved), and the city plays on as if it had never been saved.
    @Test func aPausedBuildIsActedOnBeforeTheGameCanBeSaved() throws {
        func town() -> City {
            var setup = LevelSetup(info: LevelInfo(id: "paused", title: "Paused", seed: 3), width: 16, height: 5, budget: 1e12)
            for x in 0..<16 { setup.placements.append((.road, x, 1)) }
            setup.placements.append((.building(.residential, density: 0.3), 0, 0))
            setup.policies.offsetProgramme = 1
            let city = City(level: setup, catalog: testCatalog)
            city.world.insertResource(LevelRules(
                objectives: [Objective(id: "o", title: Names(en: "O", zh: "目标"), metric: .netEmissions, comparison: .atMost, target: 1e9, deadlineYear: 2030, required: true)],
                triggers: [Trigger(id: "t", when: .built("forest"), actions: [.message(Names(en: "A forest", zh: "一片森林"))], once: true)]))
            return city
        }
        let straight = town(), saved = town()
        for city in [straight, saved] {
            city.run(hours: 30)
            city.submit(.build(.zone(.forest), x: 5, y: 2))
            city.applyPendingCommands()  // paused
        }
        #expect(saved.schedule.unreadEvents(saved.world) == [])
        let loaded = try SaveGame.decode(try saved.saveData(), catalog: testCatalog).city
        for city in [straight, loaded] { city.run(hours: 48) }
        let book = try #require(loaded.world.resource(OffsetBook.self))
        #expect(book.projects.count == 1)
        #expect(book == straight.world.resource(OffsetBook.self))
        let rules = try #require(loaded.view.rules)
        #expect(rules.fired == [true])
        #expect(rules.messages.map(\.text.en) == ["A forest"])
        #expect(rules.messages == straight.view.rules?.messages)
        #expect(loaded.world.contentHash() == straight.world.contentHash())
    }

    /// Each save of an older format loads with the figures the game that wrote it printed, plays
    /// on, and saves in today's format, which loads back to the same state.
    func expectFixturesLoad(format: Int, gameVersion: String, net: (LedgerPeriod) -> Double) throws {
        let fixtures = try SaveFixture.all(format: format)
        #expect(fixtures.count == 3)
        for fixture in fixtures {
            let header = try SaveGame.readHeader(from: fixture.path)
            #expect(header.formatVersion == UInt32(format) && header.gameVersion == gameVersion)
            let loaded = try SaveGame.load(from: fixture.path, catalog: testCatalog)
            let view = loaded.city.view
            #expect(view.clock.tick == Int64(fixture.int("tick")), "\(fixture.name)")
            #expect(view.entityCount == fixture.int("entities"), "\(fixture.name)")
            #expect(view.citizenCount == fixture.int("citizens"), "\(fixture.name)")
            #expect(view.budget.balance == fixture.double("budget"), "\(fixture.name)")
            #expect(view.budgetBook.thisYear.allSatisfy { $0 == 0 } && !view.budgetBook.coversThisYear, "\(fixture.name): no book before format 4")
            #expect(net(view.ledger.thisYear) == fixture.double("year_net_t"), "\(fixture.name)")
            #expect(view.ledger.thisYear.electricityKWh == fixture.double("year_electricity_kwh"), "\(fixture.name)")
            #expect(view.commandLog.count == fixture.int("commands"), "\(fixture.name)")
            #expect(view.policies.carbonTax == fixture.double("policies_carbon_tax"), "\(fixture.name)")
            #expect(view.registry.accounts.count == fixture.int("registry_accounts"), "\(fixture.name)")
            #expect(view.registry.history.count == fixture.int("registry_history"), "\(fixture.name)")
            if let scope3 = fixture.figures["year_scope3_t"] {
                #expect(view.ledger.thisYear.netIncludingScope3 - view.ledger.thisYear.net == Double(scope3), "\(fixture.name)")
            }
            loaded.city.run(hours: 48)
            #expect(loaded.city.view.ledger.thisYear.net.isFinite)
            let bytes = try loaded.city.saveData()
            #expect(bytes[8] == UInt8(SaveGame.formatVersion))
            let again = try SaveGame.decode(bytes, catalog: testCatalog)
            #expect(again.city.world.contentHash() == loaded.city.world.contentHash())
            #expect(try again.city.saveData() == bytes)
        }
    }

    /// Saves written by release 0.2.0 (format 2) load through the frozen format-2 reader.
    /// Format 2's net counted embodied carbon inside the total; today it is scope 3 beside it.
    @Test func format2SavesLoadThroughTheMigration() throws {
        try expectFixturesLoad(format: 2, gameVersion: "0.2.0", net: \.netIncludingScope3)
    }

    /// Saves of release 0.3.0 (format 3) load. (That release kept cursors into the command log
    /// where today's plugins read `CommandApplied` events.)
    @Test func format3SavesOfRelease030Load() throws {
        try expectFixturesLoad(format: 3, gameVersion: "0.3.0", net: \.net)
    }

    /// A component saved with another field order is read by field name; one saved without a
    /// field takes the registered default; an enum byte that names no case is refused.
    @Test func componentsAreReadByFieldNameNotByPosition() throws {
        let city = stripTown([(.zone(.forest), 3, 0), (.building(.residential, density: 0.5), 5, 0)])
        city.run(hours: 30)
        let snapshot = try city.world.snapshot(clearingPaddingOf: Simulation.componentTypes)
        let zoneName = String(reflecting: GreenZone.self)
        let index = try #require(snapshot.componentTypes.firstIndex { $0.name == zoneName })
        let fields = snapshot.componentTypes[index].fields
        let age = try #require(fields.first { $0.path == "ageHours" }), stock = try #require(fields.first { $0.path == "stock" })
        // Pretend the save had the two Double fields the other way round: its bytes say so.
        var swapped = snapshot
        swapped.componentTypes[index].fields = fields.map { field in
            var f = field
            if f.path == "ageHours" { f.offset = stock.offset } else if f.path == "stock" { f.offset = age.offset }
            return f
        }
        let restored = try World(restoring: swapped, types: Simulation.componentTypes, defaults: SaveGame.componentDefaults)
        let zoneEntity = entity(at: 3, 0, in: city)
        let original = try #require(try city.world.get(GreenZone.self, of: zoneEntity))
        let read = try #require(try restored.get(GreenZone.self, of: zoneEntity))
        #expect(original.ageHours > 0 && original.stock != original.ageHours)
        #expect(read.ageHours == original.stock && read.stock == original.ageHours, "fields are found where the save says they are")
        // A field the save lacks takes its default (a new zone's: no stock).
        var older = snapshot
        older.componentTypes[index].fields.removeAll { $0.path == "stock" }
        let migrated = try World(restoring: older, types: Simulation.componentTypes, defaults: SaveGame.componentDefaults)
        let zone = try #require(try migrated.get(GreenZone.self, of: zoneEntity))
        #expect(zone.stock == 0 && zone.ageHours == original.ageHours && zone.kind == .forest)
        // Without a registered default, a changed layout is refused rather than guessed.
        #expect(throws: SnapshotError.self) { try World(restoring: older, types: Simulation.componentTypes) }
        // A kind byte that names no zone kind is refused before anything reads it.
        var hostile = snapshot
        let kind = try #require(fields.first { $0.path == "kind" })
        for a in hostile.archetypes.indices {
            for c in hostile.archetypes[a].columns.indices where hostile.archetypes[a].columns[c].component == index
                && hostile.archetypes[a].columns[c].bytes.count > kind.offset {
                hostile.archetypes[a].columns[c].bytes[kind.offset] = 200
            }
        }
        let world = try World(restoring: hostile, types: Simulation.componentTypes)
        #expect(throws: SnapshotError.self) { try world.checkEnumFields(of: Simulation.componentTypes) }
    }

    @Test func aResourceWithANonFiniteNumberIsRefused() throws {
        let (_, bytes) = try smallSave()
        #expect(loadError(bytes) == nil)
        var budget = try Archive.encode(Budget(balance: 1))
        budget.set("balance", .double(.infinity))
        #expect(throws: (any Error).self) { _ = try SaveGame.decodeResource(Budget.self, from: budget.bytes) }
    }

    @Test func refusalsAreTyped() throws {
        var level = LevelSetup(info: LevelInfo(id: "t", title: "T", seed: 1, initialOccupancy: 0), width: 6, height: 3, budget: 1e9)
        level.terrain = [(0, 0, .water)]
        level.placements = [(.road, 1, 1), (.building(.residential, density: 1), 2, 0)]
        let city = City(level: level, catalog: testCatalog)
        city.submit(.build(.zone(.forest), x: 0, y: 0))
        city.submit(.build(.zone(.forest), x: 2, y: 0))
        city.submit(.build(.bikeLane, x: 3, y: 2))
        city.submit(.setPolicy("carbon_taxx", 10))
        city.submit(.setPolicy("carbon_tax", .nan))
        city.submit(.build(.plant(.coal), x: 9, y: 9))
        city.applyPendingCommands()
        let refusals = city.view.commandLog.compactMap { record -> Refusal? in
            if case .refused(let why) = record.outcome { return why }
            return nil
        }
        #expect(refusals == [.cannotBuildOn(.water), .occupied, .bikeLaneNeedsRoad, .unknownPolicy(name: "carbon_taxx"), .notANumber, .outsideMap])
        #expect(refusals[0].description == "cannot build on water" && refusals[0].key == "cannot_build_on_water")
    }

    /// Undo is the exact inverse of what succeeded: a refused action undoes nothing, a fresh
    /// build is refunded with its construction carbon taken back, a bike lane leaves its road.
    @Test func undoInvertsExactlyWhatSucceeded() throws {
        let city = stripTown([(.building(.residential, density: 1), 2, 0)], budget: 1e9)
        city.run(hours: 2)
        let before = city.view.budget.balance
        let homes = city.view.forEachBuildingCount
        // Forest on an occupied tile: refused, and its undo demolishes nothing.
        let refused = city.submit(.build(.zone(.forest), x: 2, y: 0))
        city.applyPendingCommands()
        city.submit(.undo(index: refused))
        city.applyPendingCommands()
        #expect(city.view.commandLog.last?.outcome == .refused(.nothingToUndo))
        #expect(city.view.forEachBuildingCount == homes && city.view.budget.balance == before)
        // A fresh forest, undone the same day: refunded, and no construction carbon left.
        let embodiedBefore = city.view.ledger.tick.tonnes(.landSinks, .outsideCity) + city.view.ledger.thisYear.tally.tonnes(.landSinks, .outsideCity)
        let forest = city.submit(.build(.zone(.forest), x: 6, y: 0))
        city.applyPendingCommands()
        #expect(city.view.budget.balance < before)
        city.submit(.undo(index: forest))
        city.applyPendingCommands()
        #expect(city.view.commandLog.last?.outcome.succeeded == true)
        #expect(city.view.budget.balance == before, "refunded in full")
        let map = city.view.map
        #expect(map.structure[map.index(6, 0)] == .none)
        city.run(hours: 1)
        let embodiedAfter = city.view.ledger.thisYear.tally.tonnes(.landSinks, .outsideCity)
        #expect(abs(embodiedAfter - embodiedBefore) < 1e-9, "construction carbon booked back")
        // Undoing twice is refused.
        city.submit(.undo(index: forest))
        city.applyPendingCommands()
        #expect(city.view.commandLog.last?.outcome == .refused(.alreadyUndone))
        // A bike lane's undo keeps the road under it.
        let lane = city.submit(.build(.bikeLane, x: 4, y: 1))
        city.applyPendingCommands()
        city.submit(.undo(index: lane))
        city.applyPendingCommands()
        let after = city.view.map
        #expect(after.structure[after.index(4, 1)] == .road && !after.bikeLane[after.index(4, 1)])
        // A policy change's undo restores the previous value.
        let tax = city.submit(.setPolicy("carbon_tax", 120))
        city.applyPendingCommands()
        city.submit(.undo(index: tax))
        city.applyPendingCommands()
        #expect(city.view.policies[PolicyLever.named("carbon_tax")!] == 0)
        // Undo is recorded in the replay, and the replay reproduces it.
        let text = ReplayLog(city: city).text
        #expect(text.contains(" undo \(forest)") && text.contains(" undo \(refused)"))
    }

    @Test func replaysSayWhatMadeThemAndOldOnesStillLoad() throws {
        // Format 1 (release 0.2.0's replays) loads, marked as such.
        let old = try String(contentsOfFile: repositoryRoot + "/Tests/CitySimTests/Replays/format1/01-sources-and-sinks.replay", encoding: .utf8)
        let parsed = try #require(ReplayLog.parse(old, file: "01.replay").log)
        #expect(parsed.migratedFrom == 1 && parsed.gameVersion == nil && !parsed.commands.isEmpty)
        // Format 2 round-trips with its hashes, years and end.
        let city = stripTown([(.building(.residential, density: 1), 2, 0)])
        city.submit(.build(.zone(.forest), x: 7, y: 0))
        city.submit(.undo(index: 0))
        city.run(hours: 24 * 370)
        let log = ReplayLog(city: city, levelHash: ReplayLog.hash(of: Array("level".utf8)), mods: [("green-points", "1.0")], player: "Li Wei")
        #expect(log.yearHashes.count == 1 && log.endTick == Int64(24 * 370) && log.gameVersion == Simulation.version)
        let again = try #require(ReplayLog.parse(log.text, file: "r.replay").log)
        #expect(again == log && again.text == log.text && again.migratedFrom == nil)
        // Windows line ends and a byte-order mark read the same.
        let windows = "\u{FEFF}" + log.text.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(ReplayLog.parse(windows, file: "w.replay").log?.text == log.text)
        // A command dated after the recording's end is an error, not dropped in silence.
        let late = log.text.replacingOccurrences(of: "end ", with: "\(24 * 400) build road 0 4\nend ")
        #expect(ReplayLog.parse(late, file: "late.replay").log == nil)
        // Run with another catalog, the replay says so.
        let journal = city.world.resource(StateJournal.self)!
        #expect(log.differences(levelHash: log.levelHash, catalog: testCatalog, journal: journal).isEmpty)
        let cheaper = try Catalog.load(directory: repositoryRoot + "/Resources/catalog",
                                       overrides: [("[costs]\nroad = { value = 1.0, unit = \"yuan\", source = \"a test\" }\n", "cheap.toml")])
        #expect(!log.differences(levelHash: log.levelHash, catalog: cheaper, journal: journal).isEmpty)
        #expect(!log.differences(levelHash: 1, catalog: testCatalog, journal: journal).isEmpty)
        // A tiny density survives recording exactly.
        let tiny = ReplayLog(levelID: "t", seed: 1, commands: [(0, .build(.building(.residential, density: 1e-300), x: 1, y: 1))])
        #expect(ReplayLog.parse(tiny.text, file: "t.replay").log?.commands.first?.command == .build(.building(.residential, density: 1e-300), x: 1, y: 1))
    }
}

extension CityView {
    var forEachBuildingCount: Int {
        var count = 0
        forEachBuilding { _, _, _ in count += 1 }
        return count
    }
}
