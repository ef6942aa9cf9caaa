// SaveGame.swift — saving a city to a file and loading it back, exactly.
//
// [SECTION] Errors, header and public entry points
// [SECTION] File layout: framing, checksum, version
// [SECTION] Resources, field by field
// [SECTION] The tile map (rebuilt through its own API)
// [SECTION] The carbon market, certificates and offsets
// [SECTION] CRC-32
//
// A save holds the full simulation state: the ECS snapshot (every entity, archetype, column and
// change tick; see ECS/Snapshot.swift) and every resource of the world, field by field. Loading
// it gives a city that continues exactly as the saved one would have: same hashes, same ledger,
// same bytes in every output. Not saved: `Ledger.onDayClosed` (a runtime callback the runner
// sets again), the catalog (the caller passes it; the header says how it was made), and the
// schedule's per-system "last run" ticks (CitySim's systems use no change-detection filters).
//
// File layout, format 2 (all integers little-endian):
//
//     offset 0   8 bytes   magic "NZCSAVE\0"
//     offset 8   UInt32    format version (2; format 1 lacked each ledger period's generation by plant kind)
//     offset 12  UInt64    body length B
//     offset 20  B bytes   body: header, ECS snapshot, resources (see `encodeBody`)
//     20 + B     UInt32    CRC-32 (IEEE) of bytes 0 ..< 20 + B
//
// Writes go through `FileSystem.writeAtomically` (temporary file, fsync, rename), so a crash or
// a full disk during a save leaves the previous save whole. Loading checks, in order: the file
// can be read, the magic, the version (a newer or older one is refused before anything else is read), the
// length, the checksum, then every count and value while decoding; any failure is a `SaveError`
// and no existing city is touched, because loading only ever builds a new one.
import ECS
import Foundation

// MARK: - [SECTION] Errors, header and public entry points

/// Why a save could not be written or loaded. `description` is written for players.
public enum SaveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read (missing, a folder, no permission).
    case unreadable(String)
    /// The file is not a NetZero City save at all.
    case notASave
    /// The save was written by a newer game, in a format this one cannot read.
    case newerVersion(found: UInt32, supported: UInt32)
    /// The save was written by an older game, in a format this one no longer reads.
    case olderVersion(found: UInt32, supported: UInt32)
    /// The file is a save but damaged: cut short, altered (checksum), or with impossible contents.
    case corrupt(String)
    /// Saving failed; the previous file at `path`, if any, is unchanged.
    case unwritable(path: String, reason: String)
    /// The city cannot be saved in its present state (e.g. in the middle of a tick).
    case notSavable(String)

    public var description: String {
        let unchanged = "Your current game was not changed."
        switch self {
        case .unreadable(let path):
            return "The save file \(path) could not be read (it is missing, a folder, or not readable). \(unchanged)"
        case .notASave:
            return "This file is not a NetZero City save. \(unchanged)"
        case .newerVersion(let found, let supported):
            return "This save was made by a newer version of NetZero City (format \(found); this game reads up to \(supported)). \(unchanged)"
        case .olderVersion(let found, let supported):
            return "This save was made by an older version of NetZero City (format \(found); this game reads format \(supported) only). \(unchanged)"
        case .corrupt(let detail):
            return "This save file is damaged and cannot be loaded (\(detail)). \(unchanged)"
        case .unwritable(let path, let reason):
            return "The game could not be saved to \(path) (\(reason)). Any earlier save there is unchanged."
        case .notSavable(let reason):
            return "The game cannot be saved right now (\(reason))."
        }
    }
}

/// A catalog override document the city was started with (text and the file it came from).
public struct CatalogOverride: Sendable, Equatable {
    public var file: String
    public var text: String
    public init(file: String, text: String) {
        self.file = file
        self.text = text
    }
}

/// What the caller knows about a city that the city does not: how its level and catalog were
/// made, and the script's own state. Stored in the save's header.
public struct SaveMetadata: Sendable, Equatable {
    /// The level file (or builtin level name) the city was started from; "" if unknown.
    public var levelFile: String
    /// Catalog overrides applied on top of the bundled catalog, in the order applied.
    public var catalogOverrides: [CatalogOverride]
    /// Opaque state of the level's script (filled by the Lua layer), if any.
    public var scriptState: String?
    public init(levelFile: String = "", catalogOverrides: [CatalogOverride] = [], scriptState: String? = nil) {
        self.levelFile = levelFile
        self.catalogOverrides = catalogOverrides
        self.scriptState = scriptState
    }
}

/// The first part of a save's body: enough to show it in a menu and to rebuild its catalog.
public struct SaveHeader: Sendable, Equatable {
    public var formatVersion: UInt32
    /// `Simulation.version` of the game that wrote it.
    public var gameVersion: String
    public var levelID: String
    public var levelTitle: String
    public var levelFile: String
    public var seed: UInt64
    public var startYear: Int
    /// The clock's tick when saved (hours since the start).
    public var tick: Int64
    /// `SaveGame.fingerprint(of:)` of the catalog the city ran with.
    public var catalogFingerprint: UInt64
    public var catalogOverrides: [CatalogOverride]
    public var scriptState: String?

    /// The in-game date when saved.
    public var date: SimDate { Clock(startYear: startYear, tick: tick).date }

    /// Whether `catalog` is the one the city was saved with (same factors, same values).
    public func matches(_ catalog: Catalog) -> Bool { SaveGame.fingerprint(of: catalog) == catalogFingerprint }
}

/// A city loaded from a save, with the save's header (which holds the script state).
public struct LoadedGame {
    public let city: City
    public let header: SaveHeader
    public var scriptState: String? { header.scriptState }
}

extension City {
    /// Saves the whole city to `path` atomically. Call between ticks (not from inside a system).
    public func save(to path: String, metadata: SaveMetadata = SaveMetadata()) throws(SaveError) {
        let bytes = try saveData(metadata: metadata)
        do throws(FileSystem.WriteError) {
            try FileSystem.writeAtomically(bytes, to: path)
        } catch {
            throw .unwritable(path: path, reason: error.reason)
        }
    }

    /// Saves with the script's state and nothing else in the metadata.
    public func save(to path: String, scriptState: String?) throws(SaveError) {
        try save(to: path, metadata: SaveMetadata(scriptState: scriptState))
    }

    /// The bytes `save(to:metadata:)` writes.
    public func saveData(metadata: SaveMetadata = SaveMetadata()) throws(SaveError) -> [UInt8] {
        try SaveGame.encode(self, metadata: metadata)
    }

    /// A new city from the save at `path`, running with `catalog` (build it from the header's
    /// `levelFile` and `catalogOverrides`; see `SaveGame.readHeader(from:)`). No existing city
    /// is touched: replace the running game with the result only when this returns.
    public static func load(from path: String, catalog: Catalog) throws(SaveError) -> City {
        try SaveGame.load(from: path, catalog: catalog).city
    }
}

public enum SaveGame {
    /// The format this game writes, and the newest it reads.
    public static let formatVersion: UInt32 = 2
    public static let magic: [UInt8] = Array("NZCSAVE".utf8) + [0]
    /// Bytes before the body: magic, version, body length.
    static let prefixLength = 20
    /// A save larger than this is not one this game wrote.
    public static let maximumFileSize = 1 << 31

    /// Loads a save: the city and its header.
    public static func load(from path: String, catalog: Catalog) throws(SaveError) -> LoadedGame {
        try decode(try readFile(path), catalog: catalog)
    }

    /// Reads only the header of a save (after checking the whole file's framing and checksum),
    /// e.g. to list saves or to rebuild the catalog before loading.
    public static func readHeader(from path: String) throws(SaveError) -> SaveHeader {
        try header(of: try readFile(path))
    }

    public static func header(of bytes: [UInt8]) throws(SaveError) -> SaveHeader {
        let (body, version) = try openBody(bytes)
        var reader = body
        do throws(SnapshotError) {
            return try SaveHeader(reading: &reader, version: version)
        } catch {
            throw .corrupt(error.description)
        }
    }

    /// A new city from the bytes of a save.
    public static func decode(_ bytes: [UInt8], catalog: Catalog) throws(SaveError) -> LoadedGame {
        let (body, version) = try openBody(bytes)
        var reader = body
        do throws(SnapshotError) {
            let header = try SaveHeader(reading: &reader, version: version)
            let world = try decodeWorld(&reader, catalog: catalog)
            guard reader.isAtEnd else { throw SnapshotError.invalid("\(reader.remaining) unexpected bytes at the end of the save") }
            return LoadedGame(city: City(restoring: world, catalog: catalog), header: header)
        } catch {
            throw .corrupt(error.description)
        }
    }

    /// A process-independent hash of a catalog's factors (paths and values): equal catalogs
    /// give equal fingerprints, and any override that changes a value changes it.
    public static func fingerprint(of catalog: Catalog) -> UInt64 {
        var hasher = StableHasher()
        hasher.combine(UInt64(catalog.factors.count))
        for factor in catalog.factors {
            hasher.combine(factor.path)
            hasher.combine(factor.value.bitPattern)
            hasher.combine(UInt64(factor.values.count))
            for value in factor.values { hasher.combine(value.bitPattern) }
            hasher.combine(factor.unit)
        }
        return hasher.value
    }

    static func readFile(_ path: String) throws(SaveError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .unreadable(path)
        }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber,
           size.int64Value > Int64(maximumFileSize) {
            throw .notASave
        }
        guard let bytes = FileSystem.read(path) else { throw .unreadable(path) }
        return bytes
    }

    // MARK: - [SECTION] File layout: framing, checksum, version

    static func encode(_ city: City, metadata: SaveMetadata) throws(SaveError) -> [UInt8] {
        var body = BinaryWriter(reservingCapacity: 1 << 16)
        do throws(SnapshotError) {
            try encodeBody(city, metadata: metadata, into: &body)
        } catch {
            throw .notSavable(error.description)
        }
        var file = BinaryWriter(reservingCapacity: body.count + 24)
        file.append(raw: magic)
        file.write(formatVersion)
        file.write(UInt64(body.count))
        file.append(raw: body.bytes)
        file.write(CRC32.checksum(file.bytes[...]))
        return file.bytes
    }

    /// Checks framing, version and checksum; returns a reader over the body, and the version.
    static func openBody(_ bytes: [UInt8]) throws(SaveError) -> (BinaryReader, UInt32) {
        if bytes.isEmpty { throw .corrupt("the file is empty") }
        guard bytes.count >= magic.count else {
            if magic.starts(with: bytes) { throw .corrupt("the file ends after \(bytes.count) bytes, inside its header") }
            throw .notASave
        }
        guard bytes.starts(with: magic) else { throw .notASave }
        var reader = BinaryReader(bytes, from: magic.count)
        guard let version = try? reader.read(UInt32.self) else {
            throw .corrupt("the file ends after \(bytes.count) bytes, inside its header")
        }
        guard version >= 1 else { throw .corrupt("format version 0 does not exist") }
        guard version <= formatVersion else { throw .newerVersion(found: version, supported: formatVersion) }
        guard version == formatVersion else { throw .olderVersion(found: version, supported: formatVersion) }
        guard let bodyLength = try? reader.read(UInt64.self) else {
            throw .corrupt("the file ends after \(bytes.count) bytes, inside its header")
        }
        guard bodyLength <= UInt64(maximumFileSize) else { throw .corrupt("the body length \(bodyLength) is impossible") }
        let expected = prefixLength + Int(bodyLength) + 4
        if bytes.count < expected {
            throw .corrupt("the file is incomplete: \(bytes.count) of \(expected) bytes")
        }
        if bytes.count > expected {
            throw .corrupt("\(bytes.count - expected) unexpected bytes after the end of the save")
        }
        let stored = UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: expected - 4, as: UInt32.self) })
        let computed = CRC32.checksum(bytes[..<(expected - 4)])
        guard stored == computed else {
            throw .corrupt("checksum mismatch: the file was altered or damaged after it was written")
        }
        return (BinaryReader(bytes, from: prefixLength, to: prefixLength + Int(bodyLength)), version)
    }

    /// Body, format 2: header, ECS snapshot, then the resources in this order.
    static func encodeBody(_ city: City, metadata: SaveMetadata, into w: inout BinaryWriter) throws(SnapshotError) {
        let world = city.world
        let map = world.resource(TileMap.self)!
        guard !map.networksDirty else {
            throw .invalid("the road and rail networks are being rebuilt; save between ticks")
        }
        let info = world.resource(LevelInfo.self)!
        let clock = world.resource(Clock.self)!
        let header = SaveHeader(formatVersion: formatVersion, gameVersion: Simulation.version, levelID: info.id,
                                levelTitle: info.title, levelFile: metadata.levelFile, seed: info.seed,
                                startYear: clock.startYear, tick: clock.tick,
                                catalogFingerprint: fingerprint(of: city.catalog),
                                catalogOverrides: metadata.catalogOverrides, scriptState: metadata.scriptState)
        header.save(into: &w)
        try world.snapshot(clearingPaddingOf: City.componentTypes).encode(into: &w)
        info.save(into: &w)
        clock.save(into: &w)
        world.resource(Weather.self)!.save(into: &w)
        map.save(into: &w)
        world.resource(Ledger.self)!.save(into: &w)
        world.resource(PowerGrid.self)!.save(into: &w)
        world.resource(TransportState.self)!.save(into: &w)
        world.resource(AirQualityField.self)!.save(into: &w)
        world.resource(Budget.self)!.save(into: &w)
        world.resource(CityStats.self)!.save(into: &w)
        world.resource(CommandQueue.self)!.save(into: &w)
        world.resource(Policies.self)!.save(into: &w)
        world.resource(MarketConditions.self)!.save(into: &w)
        w.write(optional: world.resource(LevelRules.self)) { w, rules in rules.save(into: &w) }
        world.resource(CarbonRegistry.self)!.save(into: &w)
        world.resource(CarbonMarket.self)!.save(into: &w)
        world.resource(CertificateBook.self)!.save(into: &w)
        world.resource(OffsetBook.self)!.save(into: &w)
        world.resource(AdoptionState.self)!.save(into: &w)
        world.resource(CitizenCarbonAccounts.self)!.save(into: &w)
    }

    /// Rebuilds the world: entities from the snapshot, then every resource, checked against each
    /// other (array sizes against the map, map occupants against live entities).
    static func decodeWorld(_ r: inout BinaryReader, catalog: Catalog) throws(SnapshotError) -> World {
        let snapshot = try WorldSnapshot(from: &r)
        let info = try LevelInfo(saved: &r)
        let clock = try Clock(saved: &r)
        let weather = try Weather(saved: &r)
        let map = try TileMap(saved: &r)
        let ledger = try Ledger(saved: &r)
        let grid = try PowerGrid(saved: &r)
        let transport = try TransportState(saved: &r)
        let air = try AirQualityField(saved: &r)
        let budget = try Budget(saved: &r)
        let stats = try CityStats(saved: &r)
        let queue = try CommandQueue(saved: &r)
        let policies = try Policies(saved: &r)
        let market = try MarketConditions(saved: &r)
        let rules = try r.readOptional { r throws(SnapshotError) in try LevelRules(saved: &r) }
        let registry = try CarbonRegistry(saved: &r)
        let carbonMarket = try CarbonMarket(saved: &r)
        let certificates = try CertificateBook(saved: &r)
        let offsets = try OffsetBook(saved: &r)
        let adoption = try AdoptionState(saved: &r)
        let accounts = try CitizenCarbonAccounts(saved: &r)

        guard transport.width == map.width, transport.height == map.height else {
            throw .invalid("the traffic grid is \(transport.width) × \(transport.height) on a \(map.width) × \(map.height) map")
        }
        guard air.concentration.count == map.tileCount, air.emissionsToday.count == map.tileCount else {
            throw .invalid("the air-quality field does not cover the map")
        }
        guard info.startYear == clock.startYear else { throw .invalid("the level and the clock disagree on the start year") }

        let world = try World(restoring: snapshot, types: City.componentTypes)
        for i in 0..<map.tileCount where map.structure[i] == .entity {
            guard world.isAlive(map.occupant[i]) else {
                throw .invalid("tile \(i % map.width), \(i / map.width) holds \(map.occupant[i]), which does not exist")
            }
        }
        world.insertResource(catalog)
        world.insertResource(info)
        world.insertResource(clock)
        world.insertResource(weather)
        world.insertResource(map)
        world.insertResource(ledger)
        world.insertResource(grid)
        world.insertResource(transport)
        world.insertResource(air)
        world.insertResource(budget)
        world.insertResource(stats)
        world.insertResource(queue)
        world.insertResource(policies)
        world.insertResource(market)
        if let rules { world.insertResource(rules) }
        world.insertResource(registry)
        world.insertResource(carbonMarket)
        world.insertResource(certificates)
        world.insertResource(offsets)
        world.insertResource(adoption)
        world.insertResource(accounts)
        return world
    }
}

// MARK: - [SECTION] Resources, field by field

/// A value written to and read from a save, field by field.
protocol SaveFileCodable {
    func save(into w: inout BinaryWriter)
    init(saved r: inout BinaryReader) throws(SnapshotError)
}

extension BinaryWriter {
    mutating func write(doubles: [Double]) { write(array: doubles) { w, v in w.write(v) } }
    mutating func write(floats: [Float]) { write(array: floats) { w, v in w.write(v) } }
    mutating func write(entity: Entity) {
        write(entity.index)
        write(entity.generation)
    }
}

extension BinaryReader {
    mutating func readDoubles() throws(SnapshotError) -> [Double] {
        try readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readDouble() }
    }
    mutating func readFloats() throws(SnapshotError) -> [Float] {
        try readArray(minimumElementSize: 4) { r throws(SnapshotError) in try r.readFloat() }
    }
    mutating func readEntity() throws(SnapshotError) -> Entity {
        Entity(index: try read(UInt32.self), generation: try read(UInt32.self))
    }
    /// An Int within `range`, or the input is corrupt.
    mutating func readInt(in range: ClosedRange<Int>, _ what: String) throws(SnapshotError) -> Int {
        let value = try readInt()
        guard range.contains(value) else { throw .invalid("\(what) is \(value), outside \(range.lowerBound)…\(range.upperBound)") }
        return value
    }
    /// An array of exactly `count` elements (a count written before them must match).
    mutating func readDoubles(count: Int, _ what: String) throws(SnapshotError) -> [Double] {
        let values = try readDoubles()
        guard values.count == count else { throw .invalid("\(what) has \(values.count) values, not \(count)") }
        return values
    }
    mutating func readFloats(count: Int, _ what: String) throws(SnapshotError) -> [Float] {
        let values = try readFloats()
        guard values.count == count else { throw .invalid("\(what) has \(values.count) values, not \(count)") }
        return values
    }
}

/// Years a save may start in: wide, but small enough that calendar arithmetic cannot overflow.
private let plausibleYears = -100_000...100_000
/// Ticks a save may be at (about 125,000 years of hours).
private let plausibleTicks: ClosedRange<Int64> = 0...(1 << 40)

extension SaveHeader: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(gameVersion)
        w.write(levelID)
        w.write(levelTitle)
        w.write(levelFile)
        w.write(seed)
        w.write(int: startYear)
        w.write(tick)
        w.write(catalogFingerprint)
        w.write(array: catalogOverrides) { w, o in
            w.write(o.file)
            w.write(o.text)
        }
        w.write(optional: scriptState) { w, s in w.write(s) }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        formatVersion = SaveGame.formatVersion
        gameVersion = try r.readString(limit: 256)
        levelID = try r.readString()
        levelTitle = try r.readString()
        levelFile = try r.readString()
        seed = try r.read(UInt64.self)
        startYear = try r.readInt(in: plausibleYears, "the start year")
        tick = try r.read(Int64.self)
        guard plausibleTicks.contains(tick) else { throw .invalid("the clock tick \(tick) is impossible") }
        catalogFingerprint = try r.read(UInt64.self)
        catalogOverrides = try r.readArray(minimumElementSize: 16) { r throws(SnapshotError) in
            CatalogOverride(file: try r.readString(), text: try r.readString(limit: 1 << 26))
        }
        scriptState = try r.readOptional { r throws(SnapshotError) in try r.readString(limit: 1 << 28) }
    }

    /// Reads the header at the start of a body of format `version`.
    init(reading r: inout BinaryReader, version: UInt32) throws(SnapshotError) {
        try self.init(saved: &r)
        formatVersion = version
    }
}

extension LevelInfo: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(id)
        w.write(title)
        w.write(seed)
        w.write(int: startYear)
        w.write(initialOccupancy)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(id: try r.readString(), title: try r.readString(), seed: try r.read(UInt64.self),
                  startYear: try r.readInt(in: plausibleYears, "the start year"), initialOccupancy: try r.readDouble())
    }
}

extension Clock: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(int: startYear)
        w.write(tick)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let startYear = try r.readInt(in: plausibleYears, "the start year")
        let tick = try r.read(Int64.self)
        guard plausibleTicks.contains(tick) else { throw .invalid("the clock tick \(tick) is impossible") }
        self.init(startYear: startYear, tick: tick)
    }
}

extension SimDate {
    func save(into w: inout BinaryWriter) {
        w.write(int: year)
        w.write(int: month)
        w.write(int: day)
        w.write(int: hour)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(), month: try r.readInt(in: 1...12, "a month"), day: try r.readInt(in: 1...31, "a day"),
                  hour: try r.readInt(in: 0...23, "an hour"))
    }
}

extension Weather: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(temperature)
        w.write(cloud)
        w.write(windSpeed)
        w.write(solarFactor)
        w.write(windFactor)
        w.write(inDrought)
        w.write(heatwave)
        w.write(random.state)
        w.write(cloudAnomaly)
        w.write(windAnomaly)
        w.write(temperatureAnomaly)
        w.write(int: droughtStartDay)
        w.write(int: droughtYear)
        w.write(eventWarming)
        w.write(optional: override) { w, o in
            w.write(optional: o.temperature) { w, v in w.write(v) }
            w.write(optional: o.windSpeed) { w, v in w.write(v) }
            w.write(optional: o.cloud) { w, v in w.write(v) }
            w.write(optional: o.drought) { w, v in w.write(v) }
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(seed: 0)
        temperature = try r.readDouble()
        cloud = try r.readDouble()
        windSpeed = try r.readDouble()
        solarFactor = try r.readDouble()
        windFactor = try r.readDouble()
        inDrought = try r.readBool()
        heatwave = try r.readBool()
        random = SeededRandom(seed: try r.read(UInt64.self))
        cloudAnomaly = try r.readDouble()
        windAnomaly = try r.readDouble()
        temperatureAnomaly = try r.readDouble()
        droughtStartDay = try r.readInt()
        droughtYear = try r.readInt()
        eventWarming = try r.readDouble()
        override = try r.readOptional { r throws(SnapshotError) in
            WeatherOverride(temperature: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            windSpeed: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            cloud: try r.readOptional { r throws(SnapshotError) in try r.readDouble() },
                            drought: try r.readOptional { r throws(SnapshotError) in try r.readBool() })
        }
    }
}

extension LedgerTally: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        for sector in Sector.allCases {
            for scope in Scope.allCases { w.write(tonnes(sector, scope)) }
        }
        w.write(removals)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        var cells = [Double](repeating: 0, count: LedgerTally.cells)
        for sector in Sector.allCases {
            for scope in Scope.allCases { cells[Int(sector.rawValue) * 3 + Int(scope.rawValue)] = try r.readDouble() }
        }
        withUnsafeMutableBytes(of: &cellsStorage) { storage in
            cells.withUnsafeBytes { storage.copyMemory(from: $0) }
        }
        removals = try r.readDouble()
    }
}

extension LedgerPeriod: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        start.save(into: &w)
        tally.save(into: &w)
        retired.save(into: &w)
        w.write(electricityKWh)
        w.write(renewableKWh)
        w.write(unservedKWh)
        w.write(curtailedKWh)
        w.write(powerEmissions)
        w.write(int: blackoutHours)
        for kind in PlantKind.allCases { w.write(generationKWh[kind]) }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(start: try SimDate(saved: &r))
        tally = try LedgerTally(saved: &r)
        retired = try LedgerTally(saved: &r)
        electricityKWh = try r.readDouble()
        renewableKWh = try r.readDouble()
        unservedKWh = try r.readDouble()
        curtailedKWh = try r.readDouble()
        powerEmissions = try r.readDouble()
        blackoutHours = try r.readInt()
        for kind in PlantKind.allCases { generationKWh[kind] = try r.readDouble() }
    }
}

extension Ledger: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        tick.save(into: &w)
        w.write(array: hourly) { w, p in p.save(into: &w) }
        today.save(into: &w)
        thisYear.save(into: &w)
        w.write(array: years) { w, p in p.save(into: &w) }
        cumulative.save(into: &w)
        retiredThisYear.save(into: &w)
        retiredThisTick.save(into: &w)
        w.write(hourPower.delivered)
        w.write(hourPower.renewable)
        w.write(hourPower.unserved)
        w.write(hourPower.curtailed)
        w.write(hourPower.emissions)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let tick = try LedgerTally(saved: &r)
        let hourly = try r.readArray(minimumElementSize: 64, limit: Ledger.hoursKept) { r throws(SnapshotError) in
            try LedgerPeriod(saved: &r)
        }
        let today = try LedgerPeriod(saved: &r)
        self.init(start: today.start)
        self.tick = tick
        self.hourly = hourly
        self.today = today
        thisYear = try LedgerPeriod(saved: &r)
        years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try LedgerPeriod(saved: &r) }
        cumulative = try LedgerTally(saved: &r)
        retiredThisYear = try LedgerTally(saved: &r)
        retiredThisTick = try LedgerTally(saved: &r)
        hourPower = (try r.readDouble(), try r.readDouble(), try r.readDouble(), try r.readDouble(), try r.readDouble())
    }
}

extension PowerGrid: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(int: islandCount)
        for values in [demandKWh, deliveredKWh, unservedKWh, curtailedKWh, renewableKWh, emissions, factor, scratchDemand, scratchRooftop] {
            w.write(doubles: values)
        }
        w.write(int: blackoutHoursThisYear)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        let n = try r.readInt(in: 1...(TileMap.maximumSide * TileMap.maximumSide + 1), "the number of power islands")
        islandCount = n
        demandKWh = try r.readDoubles(count: n, "demand per island")
        deliveredKWh = try r.readDoubles(count: n, "delivered energy per island")
        unservedKWh = try r.readDoubles(count: n, "unserved energy per island")
        curtailedKWh = try r.readDoubles(count: n, "curtailed energy per island")
        renewableKWh = try r.readDoubles(count: n, "renewable energy per island")
        emissions = try r.readDoubles(count: n, "emissions per island")
        factor = try r.readDoubles(count: n, "grid factor per island")
        scratchDemand = try r.readDoubles(count: n, "gathered demand per island")
        scratchRooftop = try r.readDoubles(count: n, "gathered rooftop PV per island")
        blackoutHoursThisYear = try r.readInt()
    }
}

extension TransportState: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(int: width)
        w.write(int: height)
        w.write(floats: tileFlowsYesterday)
        w.write(floats: rowDifference)
        w.write(floats: columnDifference)
        w.write(floats: districtCongestion)
        w.write(doubles: tripsByMode)
        w.write(commuteMinutesTotal)
        w.write(commuteCount)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let width = try r.readInt(in: 1...TileMap.maximumSide, "the traffic grid's width")
        let height = try r.readInt(in: 1...TileMap.maximumSide, "the traffic grid's height")
        self.init(width: width, height: height)
        tileFlowsYesterday = try r.readFloats(count: width * height, "yesterday's traffic")
        rowDifference = try r.readFloats(count: rowDifference.count, "today's traffic by row")
        columnDifference = try r.readFloats(count: columnDifference.count, "today's traffic by column")
        districtCongestion = try r.readFloats(count: districtCongestion.count, "congestion per district")
        tripsByMode = try r.readDoubles(count: TravelMode.allCases.count, "trips by mode")
        commuteMinutesTotal = try r.readDouble()
        commuteCount = try r.readDouble()
    }
}

extension AirQualityField: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(floats: concentration)
        w.write(floats: emissionsToday)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let concentration = try r.readFloats()
        self.init(tiles: 0)
        self.concentration = concentration
        emissionsToday = try r.readFloats(count: concentration.count, "today's air emissions")
    }
}

extension Budget: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(balance)
        w.write(incomeThisYear)
        w.write(spendingThisYear)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(balance: try r.readDouble())
        incomeThisYear = try r.readDouble()
        spendingThisYear = try r.readDouble()
    }
}

extension CityStats: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        census.save(into: &w)
        w.write(happiness)
        w.write(airQuality)
        w.write(int: greenTiles)
        w.write(meanCommuteMinutes)
        w.write(reliability)
        censusInProgress.save(into: &w)
        w.write(migrationCarry)
        w.write(servedToday)
        w.write(demandToday)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        census = try Census(saved: &r)
        happiness = try r.readDouble()
        airQuality = try r.readDouble()
        greenTiles = try r.readInt()
        meanCommuteMinutes = try r.readDouble()
        reliability = try r.readDouble()
        censusInProgress = try Census(saved: &r)
        migrationCarry = try r.readDouble()
        servedToday = try r.readDouble()
        demandToday = try r.readDouble()
    }
}

extension Census: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(int: population)
        w.write(int: jobs)
        w.write(int: employed)
        w.write(schoolPlaces)
        w.write(hospitalBeds)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(population: try r.readInt(), jobs: try r.readInt(), employed: try r.readInt(),
                  schoolPlaces: try r.readDouble(), hospitalBeds: try r.readDouble())
    }
}

extension Structure {
    func save(into w: inout BinaryWriter) {
        switch self {
        case .building(let kind, let density):
            w.write(UInt8(0))
            w.write(kind.rawValue)
            w.write(density)
        case .plant(let kind):
            w.write(UInt8(1))
            w.write(kind.rawValue)
        case .storage(let kind):
            w.write(UInt8(2))
            w.write(kind.rawValue)
        case .zone(let kind):
            w.write(UInt8(3))
            w.write(kind.rawValue)
        case .road: w.write(UInt8(4))
        case .rail: w.write(UInt8(5))
        case .busStop: w.write(UInt8(6))
        case .metroStation: w.write(UInt8(7))
        case .bikeLane: w.write(UInt8(8))
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .building(try r.readEnum(BuildingKind.self), density: try r.readDouble())
        case 1: self = .plant(try r.readEnum(PlantKind.self))
        case 2: self = .storage(try r.readEnum(StorageKind.self))
        case 3: self = .zone(try r.readEnum(ZoneKind.self))
        case 4: self = .road
        case 5: self = .rail
        case 6: self = .busStop
        case 7: self = .metroStation
        case 8: self = .bikeLane
        case let tag: throw .invalid("\(tag) is not a kind of structure")
        }
    }
}

extension CityCommand {
    func save(into w: inout BinaryWriter) {
        switch self {
        case .build(let structure, let x, let y):
            w.write(UInt8(0))
            structure.save(into: &w)
            w.write(int: x)
            w.write(int: y)
        case .demolish(let x, let y):
            w.write(UInt8(1))
            w.write(int: x)
            w.write(int: y)
        case .upgrade(let upgrade, let x, let y):
            w.write(UInt8(2))
            w.write(upgrade.rawValue)
            w.write(int: x)
            w.write(int: y)
        case .setPolicy(let name, let value):
            w.write(UInt8(3))
            w.write(name)
            w.write(value)
        case .sellOffsets(let count):
            w.write(UInt8(4))
            w.write(int: count)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .build(try Structure(saved: &r), x: try r.readInt(), y: try r.readInt())
        case 1: self = .demolish(x: try r.readInt(), y: try r.readInt())
        case 2: self = .upgrade(try r.readEnum(UpgradeKind.self), x: try r.readInt(), y: try r.readInt())
        case 3: self = .setPolicy(try r.readString(), try r.readDouble())
        case 4: self = .sellOffsets(count: try r.readInt())
        case let tag: throw .invalid("\(tag) is not a kind of command")
        }
    }
}

extension CommandOutcome {
    func save(into w: inout BinaryWriter) {
        switch self {
        case .done(let cost):
            w.write(UInt8(0))
            w.write(cost)
        case .refused(let reason):
            w.write(UInt8(1))
            w.write(reason)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .done(cost: try r.readDouble())
        case 1: self = .refused(try r.readString())
        case let tag: throw .invalid("\(tag) is not a command outcome")
        }
    }
}

extension CommandQueue: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(array: pending) { w, entry in
            entry.command.save(into: &w)
            w.write(entry.source.rawValue)
        }
        w.write(array: applied) { w, record in
            w.write(record.tick)
            record.command.save(into: &w)
            record.outcome.save(into: &w)
            w.write(record.source.rawValue)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        pending = try r.readArray(minimumElementSize: 10) { r throws(SnapshotError) in
            (command: try CityCommand(saved: &r), source: try r.readEnum(CommandSource.self))
        }
        applied = try r.readArray(minimumElementSize: 26) { r throws(SnapshotError) in
            CommandRecord(tick: try r.read(Int64.self), command: try CityCommand(saved: &r),
                          outcome: try CommandOutcome(saved: &r), source: try r.readEnum(CommandSource.self))
        }
    }
}

extension Policies: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(doubles: PolicyLever.all.map { self[keyPath: $0.keyPath] })
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        let values = try r.readDoubles(count: PolicyLever.all.count, "policies")
        for (lever, value) in zip(PolicyLever.all, values) {
            guard value.isFinite else { throw .invalid("policy \(lever.name) is not a number") }
            self[keyPath: lever.keyPath] = value
        }
    }
}

extension MarketConditions: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(fuelPriceMultiplier)
        w.write(coalAvailability)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        fuelPriceMultiplier = try r.readDouble()
        coalAvailability = try r.readDouble()
    }
}

extension Names {
    func save(into w: inout BinaryWriter) {
        w.write(en)
        w.write(zh)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(en: try r.readString(), zh: try r.readString())
    }
}

extension TriggerCondition {
    func save(into w: inout BinaryWriter) {
        switch self {
        case .metric(let metric, let comparison, let target):
            w.write(UInt8(0))
            w.write(metric.rawValue)
            w.write(comparison.rawValue)
            w.write(target)
        case .date(let year, let month, let day):
            w.write(UInt8(1))
            w.write(int: year)
            w.write(int: month)
            w.write(int: day)
        case .built(let key):
            w.write(UInt8(2))
            w.write(key)
        case .objective(let id, let status):
            w.write(UInt8(3))
            w.write(id)
            w.write(status.rawValue)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .metric(try r.readEnum(Metric.self), try r.readEnum(Comparison.self), try r.readDouble())
        case 1: self = .date(year: try r.readInt(), month: try r.readInt(), day: try r.readInt())
        case 2: self = .built(try r.readString())
        case 3: self = .objective(try r.readString(), try r.readEnum(ObjectiveStatus.self))
        case let tag: throw .invalid("\(tag) is not a kind of trigger condition")
        }
    }
}

extension TriggerAction {
    func save(into w: inout BinaryWriter) {
        switch self {
        case .message(let text):
            w.write(UInt8(0))
            text.save(into: &w)
        case .advisor(let text):
            w.write(UInt8(1))
            text.save(into: &w)
        case .grant(let yuan):
            w.write(UInt8(2))
            w.write(yuan)
        case .unlock(let tool):
            w.write(UInt8(3))
            w.write(tool)
        case .event(let kind, let days, let policy, let value):
            w.write(UInt8(4))
            w.write(kind.rawValue)
            w.write(int: days)
            w.write(optional: policy) { w, p in w.write(p) }
            w.write(optional: value) { w, v in w.write(v) }
        case .win: w.write(UInt8(5))
        case .lose: w.write(UInt8(6))
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        switch try r.read(UInt8.self) {
        case 0: self = .message(try Names(saved: &r))
        case 1: self = .advisor(try Names(saved: &r))
        case 2: self = .grant(try r.readDouble())
        case 3: self = .unlock(try r.readString())
        case 4:
            self = .event(try r.readEnum(LevelEventKind.self), days: try r.readInt(),
                          policy: try r.readOptional { r throws(SnapshotError) in try r.readString() },
                          value: try r.readOptional { r throws(SnapshotError) in try r.readDouble() })
        case 5: self = .win
        case 6: self = .lose
        case let tag: throw .invalid("\(tag) is not a kind of trigger action")
        }
    }
}

extension LevelRules: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(array: objectives) { w, o in
            w.write(o.id)
            o.title.save(into: &w)
            w.write(o.metric.rawValue)
            w.write(o.comparison.rawValue)
            w.write(o.target)
            w.write(int: o.deadlineYear)
            w.write(o.required)
        }
        w.write(array: triggers) { w, t in
            w.write(t.id)
            t.when.save(into: &w)
            w.write(array: t.actions) { w, a in a.save(into: &w) }
            w.write(t.once)
        }
        // A set has no stable order: written sorted.
        w.write(optional: allowedTools.map { $0.sorted() }) { w, tools in w.write(array: tools) { w, t in w.write(t) } }
        w.write(array: statuses) { w, s in w.write(s.rawValue) }
        w.write(doubles: values)
        w.write(array: fired) { w, f in w.write(f) }
        w.write(result.rawValue)
        w.write(array: messages) { w, m in
            w.write(m.tick)
            w.write(m.kind.rawValue)
            m.text.save(into: &w)
        }
        w.write(array: events) { w, e in
            w.write(e.kind.rawValue)
            w.write(e.endsAtTick)
        }
        w.write(int: commandsSeen)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let objectives = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in
            Objective(id: try r.readString(), title: try Names(saved: &r), metric: try r.readEnum(Metric.self),
                      comparison: try r.readEnum(Comparison.self), target: try r.readDouble(),
                      deadlineYear: try r.readInt(), required: try r.readBool())
        }
        let triggers = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in
            Trigger(id: try r.readString(), when: try TriggerCondition(saved: &r),
                    actions: try r.readArray { r throws(SnapshotError) in try TriggerAction(saved: &r) },
                    once: try r.readBool())
        }
        let tools = try r.readOptional { r throws(SnapshotError) in
            Set(try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readString() })
        }
        self.init(objectives: objectives, triggers: triggers, allowedTools: tools)
        statuses = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readEnum(ObjectiveStatus.self) }
        values = try r.readDoubles()
        fired = try r.readArray { r throws(SnapshotError) in try r.readBool() }
        guard statuses.count == objectives.count, values.count == objectives.count, fired.count == triggers.count else {
            throw .invalid("the level's progress does not match its \(objectives.count) objectives and \(triggers.count) triggers")
        }
        result = try r.readEnum(LevelResult.self)
        messages = try r.readArray(minimumElementSize: 24) { r throws(SnapshotError) in
            LevelMessage(tick: try r.read(Int64.self), kind: try r.readEnum(LevelMessage.Kind.self), text: try Names(saved: &r))
        }
        events = try r.readArray(minimumElementSize: 16) { r throws(SnapshotError) in
            ActiveEvent(kind: try r.readEnum(LevelEventKind.self), endsAtTick: try r.read(Int64.self))
        }
        commandsSeen = try r.readInt(in: 0...Int(Int32.max), "the number of commands the rules have seen")
    }
}

// MARK: - [SECTION] The tile map (rebuilt through its own API)
//
// The map's arrays can only be set through its own methods, so loading replays them: terrain,
// then one `setStructure` per occupied tile, padded with no-op calls so that `revision` (which
// counts those calls) and `linkedRevision` come out exactly as saved; then bike lanes; then the
// derived networks are rebuilt, which gives the saved ones since they are a pure function of the
// structures (a save is refused while they are out of date).

extension TileMap: SaveFileCodable {
    /// A revision count beyond this is not one a game reaches; refusing it bounds the replay.
    static let maximumRevision = 1 << 30

    func save(into w: inout BinaryWriter) {
        w.write(int: width)
        w.write(int: height)
        w.write(bytes: terrain.map(\.rawValue))
        w.write(bytes: structure.map(\.rawValue))
        w.write(array: occupant) { w, e in w.write(entity: e) }
        w.write(bytes: bikeLane.map { $0 ? UInt8(1) : 0 })
        w.write(int: roadComponentCount)
        w.write(networksDirty)
        w.write(int: revision)
        w.write(int: linkedRevision)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let width = try r.readInt(in: 1...TileMap.maximumSide, "the map's width")
        let height = try r.readInt(in: 1...TileMap.maximumSide, "the map's height")
        let n = width * height
        func bytes(_ what: String) throws(SnapshotError) -> [UInt8] {
            let values = try r.readBytes()
            guard values.count == n else { throw .invalid("\(what) has \(values.count) tiles, not \(n)") }
            return values
        }
        let terrain = try bytes("the terrain")
        let structure = try bytes("the structures")
        let occupant = try r.readArray(minimumElementSize: 8) { r throws(SnapshotError) in try r.readEntity() }
        guard occupant.count == n else { throw .invalid("the occupants have \(occupant.count) tiles, not \(n)") }
        let bikeLane = try bytes("the bike lanes")
        let roadComponentCount = try r.readInt()
        guard !(try r.readBool()) else { throw .invalid("the map was saved with its networks out of date") }
        let revision = try r.readInt(in: 0...TileMap.maximumRevision, "the map revision")
        let linkedRevision = try r.readInt(in: -1...revision, "the map's linked revision")

        self.init(width: width, height: height)
        var placed: [Int] = []
        for i in 0..<n {
            guard let kind = Terrain(rawValue: terrain[i]) else { throw .invalid("tile \(i) has unknown terrain \(terrain[i])") }
            if kind != .land { setTerrain(i % width, i / width, kind) }
            guard let s = TileStructure(rawValue: structure[i]) else {
                throw .invalid("tile \(i) has unknown structure \(structure[i])")
            }
            guard (s == .entity) == (occupant[i] != .none) else { throw .invalid("tile \(i)'s occupant does not match its structure") }
            guard bikeLane[i] <= 1, bikeLane[i] == 0 || s.isRoad else { throw .invalid("tile \(i) has a bike lane off the road") }
            if s != .none { placed.append(i) }
        }
        guard placed.count <= revision else {
            throw .invalid("the map revision \(revision) is lower than its \(placed.count) structures")
        }
        let padding = revision - placed.count
        if linkedRevision == 0 { markLinked() }
        for call in 0..<revision {
            if call < padding {
                setStructure(0, 0, .none)
            } else {
                let i = placed[call - padding]
                setStructure(i % width, i / width, TileStructure(rawValue: structure[i])!, occupant: occupant[i])
            }
            if call + 1 == linkedRevision { markLinked() }
        }
        for i in 0..<n where bikeLane[i] == 1 { setBikeLane(i % width, i / width, true) }
        rebuildNetworks()
        guard self.roadComponentCount == roadComponentCount, self.revision == revision,
              self.linkedRevision == linkedRevision, !networksDirty else {
            throw .invalid("the map's networks do not rebuild as saved")
        }
    }
}

// MARK: - [SECTION] The carbon market, certificates and offsets

extension MarketRules {
    func save(into w: inout BinaryWriter) {
        w.write(optional: threshold) { w, v in w.write(v) }
        w.write(optional: firstYear) { w, v in w.write(int: v) }
        w.write(optional: fixedPrice) { w, v in w.write(v) }
        w.write(benchmarkAllocation)
        w.write(optional: penaltyMultiple) { w, v in w.write(v) }
        w.write(array: firms) { w, firm in
            w.write(int: firm.x)
            w.write(int: firm.y)
            w.write(optional: firm.name) { w, name in name.save(into: &w) }
            w.write(optional: firm.abatement) { w, v in w.write(v) }
            w.write(firm.buys)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        threshold = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        firstYear = try r.readOptional { r throws(SnapshotError) in try r.readInt() }
        fixedPrice = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        benchmarkAllocation = try r.readBool()
        penaltyMultiple = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        firms = try r.readArray(minimumElementSize: 19) { r throws(SnapshotError) in
            var firm = FirmSetting(x: try r.readInt(), y: try r.readInt())
            firm.name = try r.readOptional { r throws(SnapshotError) in try Names(saved: &r) }
            firm.abatement = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
            firm.buys = try r.readBool()
            return firm
        }
    }
}

extension CarbonMarket: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        rules.save(into: &w)
        w.write(array: firms) { w, firm in firm.save(into: &w) }
        w.write(government)
        w.write(array: periods) { w, period in period.save(into: &w) }
        w.write(optional: current) { w, period in period.save(into: &w) }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init()
        rules = try MarketRules(saved: &r)
        firms = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try CoveredFirm(saved: &r) }
        government = try r.read(Int32.self)
        periods = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try MarketPeriod(saved: &r) }
        current = try r.readOptional { r throws(SnapshotError) in try MarketPeriod(saved: &r) }
    }
}

extension CoveredFirm {
    func save(into w: inout BinaryWriter) {
        w.write(entity: entity)
        w.write(account)
        w.write(kind.rawValue)
        name.save(into: &w)
        w.write(doubles: [baseline, activity, expected, abatement, abatementCost, tradeRevenue, tradeCost, fine, tax, reputation])
        for count in [allocated, bought, sold, verified, surrendered, offsetsSurrendered, shortfall] { w.write(count) }
        w.write(status.rawValue)
        w.write(active)
        w.write(optional: fixedAbatement) { w, v in w.write(v) }
        w.write(buysShortfall)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let entity = try r.readEntity()
        let account = try r.read(Int32.self)
        let kind = try r.readEnum(CoveredKind.self)
        let name = try Names(saved: &r)
        let d = try r.readDoubles(count: 10, "a covered firm")
        guard d.allSatisfy(\.isFinite) else { throw .invalid("a covered firm's figures are not numbers") }
        self.init(entity: entity, account: account, kind: kind, name: name, baseline: d[0], activity: d[1])
        expected = d[2]; abatement = d[3]; abatementCost = d[4]; tradeRevenue = d[5]; tradeCost = d[6]; fine = d[7]; tax = d[8]; reputation = d[9]
        allocated = try r.read(Int64.self); bought = try r.read(Int64.self); sold = try r.read(Int64.self)
        verified = try r.read(Int64.self); surrendered = try r.read(Int64.self); offsetsSurrendered = try r.read(Int64.self)
        shortfall = try r.read(Int64.self)
        status = try r.readEnum(ComplianceStatus.self)
        active = try r.readBool()
        fixedAbatement = try r.readOptional { r throws(SnapshotError) in try r.readDouble() }
        buysShortfall = try r.readBool()
    }
}

extension MarketPeriod {
    func save(into w: inout BinaryWriter) {
        w.write(int: year)
        for count in [cap, freeAllocation, auctioned, reserveSold, verified, surrendered, offsetsSurrendered, lapsed] { w.write(count) }
        w.write(doubles: [price, auctionRevenue, fines, taxes])
        w.write(int: firms)
        w.write(int: compliant)
        w.write(settled)
        w.write(array: results) { w, result in
            w.write(result.account)
            w.write(doubles: [result.abatement, result.fine, result.netCash])
            for count in [result.allocated, result.bought, result.sold, result.verified, result.surrendered,
                          result.offsetsSurrendered, result.shortfall] { w.write(count) }
            w.write(result.status.rawValue)
        }
        w.write(array: trades) { w, trade in
            w.write(trade.stage.rawValue)
            w.write(trade.buyer)
            w.write(trade.seller)
            w.write(trade.count)
            w.write(trade.price)
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "a market period's year"))
        cap = try r.read(Int64.self); freeAllocation = try r.read(Int64.self); auctioned = try r.read(Int64.self)
        reserveSold = try r.read(Int64.self); verified = try r.read(Int64.self); surrendered = try r.read(Int64.self)
        offsetsSurrendered = try r.read(Int64.self); lapsed = try r.read(Int64.self)
        let d = try r.readDoubles(count: 4, "a market period")
        (price, auctionRevenue, fines, taxes) = (d[0], d[1], d[2], d[3])
        firms = try r.readInt(in: 0...Int(Int32.max), "a period's firm count")
        compliant = try r.readInt(in: 0...firms, "a period's compliant firms")
        settled = try r.readBool()
        results = try r.readArray(minimumElementSize: 90) { r throws(SnapshotError) in
            let account = try r.read(Int32.self)
            let d = try r.readDoubles(count: 3, "a firm's result")
            var counts: [Int64] = []
            for _ in 0..<7 { counts.append(try r.read(Int64.self)) }
            return FirmResult(account: account, abatement: d[0], allocated: counts[0], bought: counts[1], sold: counts[2],
                              verified: counts[3], surrendered: counts[4], offsetsSurrendered: counts[5], shortfall: counts[6],
                              fine: d[1], netCash: d[2], status: try r.readEnum(ComplianceStatus.self))
        }
        trades = try r.readArray(minimumElementSize: 25) { r throws(SnapshotError) in
            MarketTrade(stage: try r.readEnum(MarketTrade.Stage.self), buyer: try r.read(Int32.self), seller: try r.read(Int32.self),
                        count: try r.read(Int64.self), price: try r.readDouble())
        }
    }
}

extension CertificateBook: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        for list in [generators, consumers] {
            w.write(array: list) { w, item in
                w.write(entity: item.entity)
                w.write(item.account)
            }
        }
        w.write(array: years) { w, year in year.save(into: &w) }
        thisYear.save(into: &w)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let readAccounts = { (r: inout BinaryReader) throws(SnapshotError) -> [(entity: Entity, account: RegistryAccountID)] in
            try r.readArray(minimumElementSize: 12) { r throws(SnapshotError) in (try r.readEntity(), try r.read(Int32.self)) }
        }
        let generators = try readAccounts(&r)
        let consumers = try readAccounts(&r)
        let years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try CertificateYear(saved: &r) }
        self.init(year: 0)
        thisYear = try CertificateYear(saved: &r)
        self.generators = generators
        self.consumers = consumers
        self.years = years
    }
}

extension CertificateYear {
    func save(into w: inout BinaryWriter) {
        w.write(int: year)
        w.write(issued)
        w.write(retired)
        w.write(doubles: [renewableKWh, claimedKWh, consumedKWh, locationBased, marketBased, residualFactor, revenue])
        w.write(array: claims) { w, claim in
            w.write(entity: claim.entity)
            w.write(claim.account)
            claim.name.save(into: &w)
            w.write(doubles: [claim.consumedKWh, claim.claimedKWh, claim.locationTonnes, claim.marketTonnes])
        }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "a certificate year"))
        issued = try r.read(Int64.self)
        retired = try r.read(Int64.self)
        let d = try r.readDoubles(count: 7, "a certificate year")
        (renewableKWh, claimedKWh, consumedKWh, locationBased, marketBased, residualFactor, revenue) = (d[0], d[1], d[2], d[3], d[4], d[5], d[6])
        claims = try r.readArray(minimumElementSize: 32) { r throws(SnapshotError) in
            let entity = try r.readEntity()
            let account = try r.read(Int32.self)
            let name = try Names(saved: &r)
            let d = try r.readDoubles(count: 4, "a certificate claim")
            return CertificateClaim(entity: entity, account: account, name: name, consumedKWh: d[0], claimedKWh: d[1],
                                    locationTonnes: d[2], marketTonnes: d[3])
        }
    }
}

extension OffsetBook: SaveFileCodable {
    func save(into w: inout BinaryWriter) {
        w.write(array: projects) { w, p in
            w.write(entity: p.entity)
            w.write(int: p.x)
            w.write(int: p.y)
            w.write(p.kind.rawValue)
            w.write(int: p.registeredYear)
            w.write(p.issued)
            w.write(p.reversed)
            w.write(p.credited)
            w.write(p.carry)
            w.write(int: p.burnsSeen)
            w.write(p.active)
        }
        w.write(cityAccount)
        w.write(bufferAccount)
        w.write(array: years) { w, year in year.save(into: &w) }
        thisYear.save(into: &w)
        w.write(int: commandCursor)
        w.write(bufferCarry)
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        let projects = try r.readArray(minimumElementSize: 60) { r throws(SnapshotError) in
            var p = OffsetProject(entity: try r.readEntity(), x: try r.readInt(), y: try r.readInt(), kind: try r.readEnum(ZoneKind.self),
                                  registeredYear: try r.readInt())
            p.issued = try r.read(Int64.self)
            p.reversed = try r.read(Int64.self)
            p.credited = try r.readDouble()
            p.carry = try r.readDouble()
            p.burnsSeen = try r.readInt()
            p.active = try r.readBool()
            return p
        }
        let city = try r.read(Int32.self)
        let buffer = try r.read(Int32.self)
        let years = try r.readArray(minimumElementSize: 64) { r throws(SnapshotError) in try OffsetYear(saved: &r) }
        self.init(year: 0)
        thisYear = try OffsetYear(saved: &r)
        commandCursor = try r.readInt(in: 0...Int(Int32.max), "the offsets' command cursor")
        bufferCarry = try r.readDouble()
        self.projects = projects
        cityAccount = city
        bufferAccount = buffer
        self.years = years
    }
}

extension OffsetYear {
    func save(into w: inout BinaryWriter) {
        w.write(int: year)
        w.write(doubles: [projectRemovals, baseline, exportRevenue])
        for count in [issued, buffered, exported, reversed, uncovered] { w.write(count) }
    }

    init(saved r: inout BinaryReader) throws(SnapshotError) {
        self.init(year: try r.readInt(in: -100_000...100_000, "an offset year"))
        let d = try r.readDoubles(count: 3, "an offset year")
        (projectRemovals, baseline, exportRevenue) = (d[0], d[1], d[2])
        issued = try r.read(Int64.self); buffered = try r.read(Int64.self); exported = try r.read(Int64.self)
        reversed = try r.read(Int64.self); uncovered = try r.read(Int64.self)
    }
}

// MARK: - [SECTION] CRC-32

/// CRC-32 (IEEE 802.3, as in zip and PNG), table-driven.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                for byte in input { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The checksum of a whole buffer (for tests and tools).
    static func checksum(_ bytes: [UInt8]) -> UInt32 { checksum(bytes[...]) }
}
