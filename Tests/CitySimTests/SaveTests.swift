// SaveTests — saves: save → load → continue equals never saving, atomic writes, and damaged,
// truncated or newer files refused with the right error while the running game is untouched.
import CitySim
import ECS
import Foundation
import Testing

/// The sandbox level with rules added (objectives, triggers with events and an unlock, a tool
/// list), so that a save carries every kind of level progress.
func sandboxWithRules() throws -> LevelDefinition {
    let text = try String(contentsOfFile: repositoryRoot + "/Levels/sandbox.toml", encoding: .utf8) + """

    [tools]
    allowed = ["solar_plant", "residential", "road", "bus_stop", "demolish", "heat_pump"]

    [[objectives]]
    id = "clean"
    title_en = "Cleaner by 2020"
    title_zh = "2020年更清洁"
    metric = "net_emissions"
    at_most = 1e12
    by = 2020

    [[objectives]]
    id = "people"
    title_en = "Keep people"
    title_zh = "留住居民"
    metric = "population"
    at_least = 1
    by = 2021
    required = false

    [[triggers]]
    id = "early_heat"
    when = { date = "2020-01-05" }
    actions = [
      { message_en = "A heatwave, in January.", message_zh = "一月热浪。" },
      { event = "heatwave", days = 3, value = 4 },
      { grant = 1_000_000 },
    ]

    [[triggers]]
    id = "first_solar"
    when = { built = "solar_plant" }
    actions = [
      { advisor_en = "Solar makes no CO2 while it runs.", advisor_zh = "光伏运行时不排放二氧化碳。" },
      { unlock = "battery" },
      { event = "fuel_price_spike", days = 20, value = 2 },
    ]

    [[triggers]]
    id = "crowded"
    when = { metric = "population", at_least = 1 }
    once = false
    actions = [{ event = "policy_change", policy = "car_charge_per_km", value = 0.5 }]

    """
    let result = LevelFile.parse(bytes: Array(text.utf8), file: "sandbox-rules.toml", catalog: testCatalog)
    guard let level = result.level, !result.hasErrors else {
        throw SaveTestFailure(message: "the rules level does not load: \(result.diagnostics)")
    }
    return level
}

struct SaveTestFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Commands given at fixed days: builds (a plant, a home, a road, a bus stop), an upgrade, a
/// demolition whose residents leave (freeing entity indices for later newcomers), a refusal.
func playScript(_ city: City, day: Int) {
    switch day {
    case 2:
        city.submit(.build(.plant(.solar), x: 10, y: 3))
        city.submit(.build(.building(.residential, density: 0.6), x: 11, y: 4))
        city.submit(.upgrade(.heatPump, x: 4, y: 9))
    case 5:
        city.submit(.demolish(x: 3, y: 9))
        city.submit(.build(.road, x: 1, y: 3))
        city.submit(.build(.busStop, x: 2, y: 10))
    case 9:
        city.submit(.build(.plant(.coal), x: 12, y: 4))   // not an allowed tool: refused
        city.submit(.build(.building(.residential, density: 0.4), x: 12, y: 3))
    default:
        break
    }
}

/// Runs `days` days from day `first`, giving the scripted commands at the start of each day.
func play(_ city: City, days: Range<Int>) {
    for day in days {
        playScript(city, day: day)
        city.run(hours: 24)
    }
}

/// Every resource of a city, printed field by field (private fields included) by `dump`.
func resourceDump(_ city: City) -> String {
    let view = city.view
    var text = ""
    dump(view.clock, to: &text)
    dump(view.weather, to: &text)
    dump(view.map, to: &text)
    dump(view.ledger, to: &text)
    dump(view.grid, to: &text)
    dump(view.transport, to: &text)
    dump(view.air, to: &text)
    dump(view.budget, to: &text)
    dump(view.stats, to: &text)
    dump(view.level, to: &text)
    dump(view.policies, to: &text)
    dump(view.market, to: &text)
    dump(view.commandLog, to: &text)
    if let rules = view.rules {
        var copy = rules
        copy.allowedTools = nil  // a Set prints in a per-process order
        dump(copy, to: &text)
        dump(rules.allowedTools?.sorted(), to: &text)
    }
    return text
}

/// Exact (==) comparisons of what a player and the reports see. (`World.contentHash()` reads
/// every component through reflection, seconds for the sandbox's 60,000 entities in a release
/// build: the callers compare it once per city, at the end.)
func expectSameState(_ a: City, _ b: City, _ label: String) {
    let x = a.view, y = b.view
    #expect(a.world.entityCount == b.world.entityCount, "\(label): entity count")
    #expect(x.clock == y.clock, "\(label): clock")
    #expect(x.budget == y.budget, "\(label): budget")
    #expect(x.stats == y.stats, "\(label): stats")
    #expect(x.weather == y.weather, "\(label): weather")
    #expect(x.ledger.cumulative == y.ledger.cumulative, "\(label): cumulative ledger")
    #expect(x.ledger.thisYear == y.ledger.thisYear, "\(label): this year's ledger")
    #expect(x.ledger.today == y.ledger.today, "\(label): today's ledger")
    #expect(x.ledger.hourly == y.ledger.hourly, "\(label): hourly ledger")
    #expect(x.ledger.years == y.ledger.years, "\(label): yearly ledger")
    #expect(x.grid.factor == y.grid.factor && x.grid.deliveredKWh == y.grid.deliveredKWh, "\(label): grid")
    #expect(x.commandLog == y.commandLog, "\(label): command log")
    #expect(x.rules?.statuses == y.rules?.statuses && x.rules?.messages == y.rules?.messages, "\(label): level rules")
    #expect(resourceDump(a) == resourceDump(b), "\(label): resources differ")
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "saves-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The error a load gives, or nil if it loaded.
func loadError(_ bytes: [UInt8]) -> SaveError? {
    do throws(SaveError) {
        _ = try SaveGame.decode(bytes, catalog: testCatalog)
        return nil
    } catch {
        return error
    }
}

func isCorrupt(_ error: SaveError?) -> Bool {
    if case .corrupt = error { return true }
    return false
}

/// A small city saved after two days: a strip town with a few dozen people, jobs, a plant, a
/// store and a zone (a save of some tens of kilobytes).
func smallSave() throws -> (city: City, bytes: [UInt8]) {
    let city = stripTown([(.building(.residential, density: 0.05), 0, 0), (.building(.residential, density: 0.05), 1, 0),
                          (.building(.office, density: 0.1), 2, 2), (.building(.industrial, density: 0.1), 3, 2),
                          (.plant(.gas), 5, 0), (.zone(.forest), 6, 2), (.storage(.battery), 7, 0)], width: 10)
    city.run(hours: 48)
    return (city, try city.saveData(metadata: SaveMetadata(levelFile: "strip", scriptState: "state")))
}

@Suite("Saves", .serialized)
struct SaveTests {
    // MARK: Save → load → continue

    @Test func saveLoadContinueEqualsNeverSaving() throws {
        let level = try sandboxWithRules()
        let original = City(level: level, catalog: testCatalog)
        let neverSaved = City(level: level, catalog: testCatalog)
        play(original, days: 0..<15)
        play(neverSaved, days: 0..<15)
        // A command waiting for the next tick is part of the save.
        original.submit(.build(.building(.residential, density: 0.3), x: 13, y: 4))
        neverSaved.submit(.build(.building(.residential, density: 0.3), x: 13, y: 4))
        #expect(original.view.rules?.messages.isEmpty == false, "the rules have fired by the save point")
        #expect(original.view.commandLog.contains { if case .refused = $0.outcome { return true }; return false })

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/sandbox.nzsave"
        let metadata = SaveMetadata(levelFile: "sandbox-rules.toml",
                                    catalogOverrides: [CatalogOverride(file: "mod.toml", text: "# no changes\n")],
                                    scriptState: "{ turns = 3, note = \"热浪\" }")
        try original.save(to: path, metadata: metadata)
        let loaded = try SaveGame.load(from: path, catalog: testCatalog)
        let city = loaded.city
        #expect(loaded.scriptState == metadata.scriptState)
        #expect(loaded.header.levelFile == "sandbox-rules.toml" && loaded.header.catalogOverrides == metadata.catalogOverrides)
        #expect(loaded.header.levelID == "sandbox" && loaded.header.seed == 2060 && loaded.header.tick == 15 * 24)
        #expect(loaded.header.date == SimDate(year: 2020, month: 1, day: 16, hour: 0))
        #expect(loaded.header.matches(testCatalog))
        #expect(city !== original)

        // Right after loading: the same state, and saving it again gives the same bytes.
        expectSameState(original, city, "after load")
        #expect(try city.saveData(metadata: metadata) == original.saveData(metadata: metadata))
        let map = original.view.map, loadedMap = city.view.map
        #expect(map.revision == loadedMap.revision && map.linkedRevision == loadedMap.linkedRevision)
        #expect(map.roadComponent == loadedMap.roadComponent && map.servingRoad == loadedMap.servingRoad
                && map.busStopDistance == loadedMap.busStopDistance && map.nearestStationLine == loadedMap.nearestStationLine)

        // Continue all three.
        play(original, days: 15..<45)
        play(city, days: 15..<45)
        play(neverSaved, days: 15..<45)
        expectSameState(original, city, "saved and loaded vs. saved and continued")
        expectSameState(neverSaved, city, "saved and loaded vs. never saved")
        let loadedHash = city.world.contentHash()
        #expect(loadedHash == original.world.contentHash(), "world hash: loaded vs. saved and continued")
        #expect(loadedHash == neverSaved.world.contentHash(), "world hash: loaded vs. never saved")
        #expect(try city.saveData() == neverSaved.saveData(), "the continued cities save to identical bytes")
        #expect(city.view.commandLog.count == 9, "the command pending at the save point was applied after loading")
    }

    /// A commute's route is written straight into the day's traffic arrays: a save whose worker
    /// has no work tile is refused, and never walked off the traffic grid.
    @Test func aSaveWhoseWorkerHasNoWorkTileIsRefused() throws {
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        city.run(hours: 24)
        var worker: Entity?
        city.world.query(Entity.self, Read<Citizen>.self).forEach { entity, citizen in
            if worker == nil && citizen.isEmployed { worker = entity }
        }
        let entity = try #require(worker, "the sandbox has a worker after a day")
        try city.world.modify(Citizen.self, of: entity) { $0.workTile = -1 }
        var refusal = ""
        do {
            _ = try SaveGame.decode(try city.saveData(), catalog: testCatalog)
        } catch {
            refusal = "\(error)"
        }
        #expect(refusal.contains("a workplace but no work tile"), "\(refusal)")
    }

    @Test func loadedCityHandsOutTheSameEntityHandles() throws {
        let (city, bytes) = try smallSave()
        let loaded = try SaveGame.decode(bytes, catalog: testCatalog).city
        #expect(city.world.allEntities == loaded.world.allEntities)
        // A demolition frees indices; the next build reuses them the same way in both.
        for c in [city, loaded] {
            c.submit(.demolish(x: 0, y: 0))
            c.run(hours: 1)
            c.submit(.build(.building(.commercial), x: 8, y: 0))
            c.submit(.build(.plant(.solar), x: 9, y: 2))
            c.run(hours: 1)
        }
        #expect(entity(at: 8, 0, in: city) == entity(at: 8, 0, in: loaded))
        #expect(entity(at: 9, 2, in: city) == entity(at: 9, 2, in: loaded))
        #expect(city.world.allEntities == loaded.world.allEntities)
        #expect(city.world.contentHash() == loaded.world.contentHash())
    }

    @Test func headerAndScriptStateRoundTrip() throws {
        let city = stripTown([(.building(.residential), 0, 0)], width: 6)
        for state in [nil, "", "a\u{0}b", String(repeating: "碳", count: 5000)] as [String?] {
            let bytes = try city.saveData(metadata: SaveMetadata(scriptState: state))
            #expect(try SaveGame.header(of: bytes).scriptState == state)
            #expect(try SaveGame.decode(bytes, catalog: testCatalog).scriptState == state)
        }
        let header = try SaveGame.header(of: city.saveData())
        #expect(header.formatVersion == SaveGame.formatVersion && header.gameVersion == Simulation.version)
        #expect(header.levelID == "test" && header.levelTitle == "Test town" && header.seed == 1 && header.startYear == 2020)
    }

    // MARK: Atomic writes

    @Test func overwritingASaveReplacesItWhole() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/city.nzsave"
        let (city, _) = try smallSave()
        try city.save(to: path)
        let first = try #require(FileSystem.read(path))
        city.run(hours: 30)
        try city.save(to: path)
        let second = try #require(FileSystem.read(path))
        #expect(second != first)
        #expect(second == (try city.saveData()))
        #expect(try City.load(from: path, catalog: testCatalog).world.contentHash() == city.world.contentHash())
        #expect(FileSystem.list(directory) == ["city.nzsave"], "no temporary file is left behind")
    }

    @Test func aFailedWriteKeepsThePreviousSave() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/city.nzsave"
        let (city, _) = try smallSave()
        try city.save(to: path)
        let before = try #require(FileSystem.read(path))
        let hashAtSave = city.world.contentHash()
        city.run(hours: 24)

        // The temporary file cannot be created (a folder is in its way), as when the disk is full
        // or the folder is read-only: the save fails and the previous one is left as it was.
        let temporary = directory + "/.city.nzsave.tmp-\(ProcessInfo.processInfo.processIdentifier)"
        try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
        do throws(SaveError) {
            try city.save(to: path)
            Issue.record("saving over a blocked temporary file succeeded")
        } catch {
            guard case .unwritable(let failedPath, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(failedPath == path)
            #expect(error.description.contains("Any earlier save there is unchanged"))
        }
        #expect(FileSystem.read(path) == before, "the previous save is unchanged, byte for byte")
        #expect(try City.load(from: path, catalog: testCatalog).world.contentHash() == hashAtSave)

        // A folder that does not exist.
        do throws(SaveError) {
            try city.save(to: directory + "/missing/city.nzsave")
            Issue.record("saving into a missing folder succeeded")
        } catch {
            guard case .unwritable = error else { Issue.record("wrong error \(error)"); return }
        }
        #expect(FileSystem.read(path) == before)
    }

    // MARK: Damaged, truncated, foreign and newer files

    @Test func truncatedFilesAreCorruptAndChangeNothing() throws {
        let (city, bytes) = try smallSave()
        let hash = city.world.contentHash()
        let state = resourceDump(city)
        let step = max(1, bytes.count / 500)
        var lengths = Array(0..<min(64, bytes.count)) + Array(stride(from: 64, to: bytes.count, by: step))
        lengths += Array(max(0, bytes.count - 64)..<bytes.count)
        for length in lengths {
            let error = loadError(Array(bytes[..<length]))
            #expect(isCorrupt(error), "a save cut at \(length) of \(bytes.count) bytes gave \(String(describing: error))")
        }
        #expect(loadError(bytes) == nil)
        #expect(loadError(Array(bytes[..<(bytes.count - 1)]))?.description.contains("incomplete") == true)
        #expect(loadError([])?.description == "This save file is damaged and cannot be loaded (the file is empty). Your current game was not changed.")
        #expect(city.world.contentHash() == hash && resourceDump(city) == state, "the running city is untouched")
    }

    @Test func flippedBytesFailTheChecksum() throws {
        let (city, bytes) = try smallSave()
        let hash = city.world.contentHash()
        for position in stride(from: 20, to: bytes.count, by: max(1, bytes.count / 400)) {
            var damaged = bytes
            damaged[position] ^= 0x40
            let error = loadError(damaged)
            #expect(isCorrupt(error), "a flipped byte at \(position) gave \(String(describing: error))")
        }
        var damaged = bytes
        damaged[bytes.count / 2] &+= 1
        #expect(loadError(damaged)?.description.contains("checksum mismatch") == true)
        #expect(city.world.contentHash() == hash)
    }

    @Test func foreignAndNewerFilesAreRecognised() throws {
        let (city, bytes) = try smallSave()
        let hash = city.world.contentHash()
        var wrongMagic = bytes
        wrongMagic[0] = UInt8(ascii: "X")
        #expect(loadError(wrongMagic) == .notASave)
        #expect(loadError(Array("hello, this is a text file\n".utf8)) == .notASave)
        #expect(loadError(Array("NZC".utf8)).map(isCorrupt) == true, "a save cut inside its magic")
        #expect(loadError(Array("PK\u{3}\u{4}".utf8)) == .notASave)

        var newer = bytes
        newer[8] = 9
        #expect(loadError(newer) == .newerVersion(found: 9, supported: 8))
        #expect(loadError(newer)?.description == "This save was made by a newer version of NetZero City (format 9; this game reads up to 8). Your current game was not changed.")
        // A newer file's layout is unknown: it is refused on its version alone, whatever follows.
        var newerShort = Array(newer[..<12])
        newerShort += [9, 9]
        #expect(loadError(newerShort) == .newerVersion(found: 9, supported: 8))
        // Format 1 (before ledger periods kept generation by plant kind) is refused by its version.
        var older = bytes
        older[8] = 1
        #expect(loadError(older) == .olderVersion(found: 1, supported: 8))
        #expect(loadError(older)?.description == "This save was made by an older version of NetZero City (format 1; this game reads formats 2–8). Your current game was not changed.")
        var versionZero = bytes
        versionZero[8] = 0
        #expect(isCorrupt(loadError(versionZero)))

        var random = SeededRandom(seed: 77)
        for size in [1, 7, 8, 19, 20, 100, 4096] {
            let noise = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let error = loadError(noise)
            #expect(error == .notASave || isCorrupt(error), "\(size) random bytes gave \(String(describing: error))")
            // Random bytes behind a valid magic and version: damaged, never a crash.
            let framed = SaveGame.magic + [UInt8(SaveGame.formatVersion), 0, 0, 0] + noise
            #expect(isCorrupt(loadError(framed)), "random body of \(size) bytes")
        }
        #expect(city.world.contentHash() == hash)
    }

    /// Damage that keeps a valid checksum (a bad tool, or a crafted file) still never crashes:
    /// every count and value is checked while decoding.
    @Test func damagedBodiesWithValidChecksumsNeverCrash() throws {
        let (city, bytes) = try smallSave()
        let hash = city.world.contentHash()
        let bodyEnd = bytes.count - 4
        // CRC-32 written independently of the game's (table built here, bit by bit).
        let table: [UInt32] = (0..<256).map { n in
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            return c
        }
        func resealed(_ body: [UInt8]) -> [UInt8] {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in body { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            var file = body
            withUnsafeBytes(of: (crc ^ 0xFFFF_FFFF).littleEndian) { file.append(contentsOf: $0) }
            return file
        }
        #expect(resealed(Array(bytes[..<bodyEnd])) == bytes, "the test's own CRC-32 agrees with the file's")
        var loadedCount = 0
        var random = SeededRandom(seed: 5)
        for position in stride(from: 20, to: bodyEnd, by: max(1, bodyEnd / 200)) {
            for value in [UInt8(0xFF), UInt8(truncatingIfNeeded: random.next())] {
                var body = Array(bytes[..<bodyEnd])
                body[position] = value
                let error = loadError(resealed(body))
                if error == nil { loadedCount += 1 } else { #expect(isCorrupt(error), "byte \(position) = \(value): \(String(describing: error))") }
            }
        }
        #expect(loadedCount > 0, "changes to plain values (a temperature, a balance) still load")
        #expect(city.world.contentHash() == hash)
    }

    @Test func unreadablePathsAreReported() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do throws(SaveError) {
            _ = try City.load(from: directory + "/nothing.nzsave", catalog: testCatalog)
            Issue.record("loading a missing file succeeded")
        } catch {
            #expect(error == .unreadable(directory + "/nothing.nzsave"))
            #expect(error.description.hasSuffix("Your current game was not changed."))
        }
        do throws(SaveError) {
            _ = try City.load(from: directory, catalog: testCatalog)
            Issue.record("loading a folder succeeded")
        } catch {
            #expect(error == .unreadable(directory))
        }
        _ = FileManager.default.createFile(atPath: directory + "/empty.nzsave", contents: Data())
        do throws(SaveError) {
            _ = try City.load(from: directory + "/empty.nzsave", catalog: testCatalog)
            Issue.record("loading an empty file succeeded")
        } catch {
            #expect(error == .corrupt("the file is empty"))
        }
    }

    @Test func aCityWithPendingStructuralChangesIsNotSaved() throws {
        let city = stripTown([(.building(.residential), 0, 0)], width: 6)
        city.world.commands.despawn(entity(at: 0, 0, in: city))
        do throws(SaveError) {
            _ = try city.saveData()
            Issue.record("a city with a pending despawn was saved")
        } catch {
            guard case .notSavable(let reason) = error else { Issue.record("wrong error \(error)"); return }
            #expect(reason.contains("deferred command"))
        }
    }

    // MARK: The ECS snapshot on its own

    @Test func worldSnapshotRestoresOrderHandlesAndTicks() throws {
        let world = World()
        var spawned: [Entity] = []
        for i in 0..<200 {
            switch i % 3 {
            case 0: spawned.append(world.spawn(SavePoint(x: Int32(i), y: -Int32(i))))
            case 1: spawned.append(world.spawn(SavePoint(x: Int32(i), y: 1), SavePadded(flag: UInt8(i & 0xFF), amount: Double(i) / 3)))
            default: spawned.append(world.spawn(SavePadded(flag: 1, amount: -Double(i))))
            }
        }
        for entity in spawned where entity.index % 7 == 0 { try world.despawn(entity) }
        for entity in spawned where entity.index % 11 == 1 && world.isAlive(entity) { try world.insert(SaveMarker(), into: entity) }
        for entity in spawned where entity.index % 13 == 2 && world.isAlive(entity) { try world.remove(SavePoint.self, from: entity) }
        world.spawn()  // an entity with no components
        world.query(Write<SavePoint>.self).forEach { $0.value.x += 1 }
        let types: [any Component.Type] = [SavePoint.self, SavePadded.self, SaveMarker.self]

        let snapshot = try world.snapshot(clearingPaddingOf: types)
        #expect(snapshot.componentNames(ofArchetype: 1) == [String(reflecting: SavePoint.self)])
        let decoded = try WorldSnapshot(decoding: snapshot.encoded())
        #expect(decoded == snapshot)
        let restored = try World(restoring: decoded, types: types)

        #expect(restored.contentHash() == world.contentHash())
        // Padding is written as zeros (the bytes between SavePadded's flag and its amount)...
        let padded = try #require(snapshot.archetypes.first { $0.components == [1] })
        #expect(padded.rowCount > 0)
        for row in 0..<padded.rowCount { #expect(padded.columns[0].bytes[(row * 16 + 1)..<(row * 16 + 8)].allSatisfy { $0 == 0 }) }
        // ...unless asked otherwise: then every byte is copied exactly, padding and all.
        let raw = try world.snapshot()
        #expect(try World(restoring: raw, types: types).snapshot() == raw)
        #expect(restored.allEntities == world.allEntities)
        #expect(restored.archetypeCount == world.archetypeCount && restored.changeTick == world.changeTick)
        func order(_ w: World) -> [Entity] {
            var result: [Entity] = []
            w.query(Entity.self, Read<SavePadded>.self).forEach { e, _ in result.append(e) }
            w.query(Entity.self, Read<SavePoint>.self).without(SaveMarker.self).forEach { e, _ in result.append(e) }
            return result
        }
        #expect(order(restored) == order(world), "queries visit entities in the same order")
        #expect(try restored.snapshot(clearingPaddingOf: types) == snapshot, "a restored world snapshots identically")
        for entity in spawned {
            #expect(restored.isAlive(entity) == world.isAlive(entity))
        }
        // Freed indices are reused in the same order, with the same generations.
        let next = (0..<40).map { i in world.spawn(SavePoint(x: Int32(i), y: 0)) }
        let restoredNext = (0..<40).map { i in restored.spawn(SavePoint(x: Int32(i), y: 0)) }
        #expect(next == restoredNext)
        #expect(restored.contentHash() == world.contentHash())
        // Change ticks: a filter on changes sees the same rows.
        let since = snapshot.changeTick - 1
        var changed: [Entity] = [], restoredChanged: [Entity] = []
        world.query(Entity.self).changed(SavePoint.self, since: since).forEach { changed.append($0) }
        restored.query(Entity.self).changed(SavePoint.self, since: since).forEach { restoredChanged.append($0) }
        #expect(changed == restoredChanged && !changed.isEmpty)
    }

    @Test func componentLayoutFindsPadding() {
        #expect(ComponentLayout.paddingOffsets(of: SavePoint.self) == [])
        #expect(ComponentLayout.paddingOffsets(of: SavePadded.self) == Array(1..<8))
        #expect(ComponentLayout.dataMask(of: SavePadded.self) == [true] + Array(repeating: false, count: 7) + Array(repeating: true, count: 8))
        #expect(ComponentLayout.paddingOffsets(of: SaveMarker.self) == [0])
        // The game's components: Building's three one-byte fields come after its Doubles and
        // counts, and leave one byte of padding at the end, for example.
        let building = ComponentLayout.dataMask(of: Building.self)
        #expect(building.count == MemoryLayout<Building>.stride && building[0] && building[30] && !building[31])
        // The columns the hourly systems stream, packed with their small fields last.
        #expect(MemoryLayout<Building>.stride == 32 && MemoryLayout<PrimaryLine>.stride == 72 && MemoryLayout<Citizen>.stride == 60
                && MemoryLayout<Commute>.stride == 48)
        let line = ComponentLayout.dataMask(of: PrimaryLine.self)
        #expect(line.filter { $0 }.count == 2 + 8 + 1 + 1 + 8 + 8 + 4 * 8 + 8, "Flow's fields and the lifetime total")
    }

    @Test func worldSnapshotRefusesWhatItCannotHold() throws {
        let world = World()
        let named = world.spawn(SaveName(name: "not plain data"))
        #expect(throws: SnapshotError.nonTrivialComponent(String(reflecting: SaveName.self))) { try world.snapshot() }
        try world.despawn(named)
        world.spawn(SavePoint(x: 1, y: 2))
        world.commands.spawn(SavePoint(x: 3, y: 4))
        #expect(throws: SnapshotError.pendingCommands(1)) { try world.snapshot() }
        world.applyCommands()

        let plain = World()
        let a = plain.spawn(SavePoint(x: 1, y: 2))
        plain.spawn(SavePadded(flag: 0, amount: 1))
        let snapshot = try plain.snapshot()
        #expect(throws: SnapshotError.unknownComponent(String(reflecting: SavePadded.self))) {
            try World(restoring: snapshot, types: [SavePoint.self])
        }
        #expect(throws: SnapshotError.strideMismatch(component: String(reflecting: SavePadded.self), saved: 8, current: 16)) {
            var renamed = snapshot
            renamed.componentTypes[0].name = String(reflecting: SavePadded.self)
            renamed.componentTypes[1].name = String(reflecting: SavePoint.self)
            _ = try World(restoring: renamed, types: [SavePoint.self, SavePadded.self])
        }
        var miscounted = snapshot
        miscounted.liveCount += 1
        #expect(throws: SnapshotError.self) { try World(restoring: miscounted, types: [SavePoint.self, SavePadded.self]) }
        var misplaced = snapshot
        misplaced.entities[Int(a.index)].row = 1
        #expect(throws: SnapshotError.self) { try World(restoring: misplaced, types: [SavePoint.self, SavePadded.self]) }
        var shortColumn = snapshot
        shortColumn.archetypes[1].columns[0].bytes.removeLast()
        #expect(throws: SnapshotError.self) { try World(restoring: shortColumn, types: [SavePoint.self, SavePadded.self]) }

        // Every truncation of an encoded snapshot is refused, never a crash.
        let encoded = snapshot.encoded()
        for length in 0..<encoded.count {
            #expect(throws: SnapshotError.self) { try WorldSnapshot(decoding: Array(encoded[..<length])) }
        }
    }
}

struct SavePoint: Component, Equatable {
    var x: Int32
    var y: Int32
}

struct SavePadded: Component, Equatable {
    var flag: UInt8
    var amount: Double
}

struct SaveMarker: Component {}

struct SaveName: Component {
    var name: String
}
