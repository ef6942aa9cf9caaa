// SaveGame.swift — saving a city to a file and loading it back, exactly.
//
// [SECTION] Errors, header and public entry points
// [SECTION] File layout: framing, checksum, version
// [SECTION] The body: header, entities, resources
// [SECTION] Migrations
//
// A save holds the full simulation state: the ECS snapshot (every entity, archetype, column and
// change tick, with each component's field layout; see ECS/Snapshot.swift) and every resource
// that a plugin registers as saved (`SimulationBuilder.resource`), each as an `Archive` tree
// under the plugin's key. Loading gives a city that continues exactly as the saved one would
// have: same hashes, same ledger, same bytes in every output. Not saved: the catalog (the caller
// passes it; the header says how it was made), and the schedule's per-system "last run" ticks
// (CitySim's systems use no change-detection filters).
//
// File layout (all integers little-endian):
//
//     offset 0   8 bytes   magic "NZCSAVE\0"
//     offset 8   UInt32    format version (8; 7 to 3 are migrated, 2 is read by SaveFormat2.swift)
//     offset 12  UInt64    body length B
//     offset 20  B bytes   body: header, ECS snapshot, resources (see `encodeBody`)
//     20 + B     UInt32    CRC-32 (IEEE) of bytes 0 ..< 20 + B
//
// Why this and not SQLite or protobuf: a save is one value written whole and read whole, so a
// database's transactions buy nothing that the atomic rename does not, and a run's history as
// tables is already `netzero run`'s CSVs. A self-describing archive keeps the schema in the
// Swift types themselves (`Codable`), with field names in the file, so a renamed or reordered
// field is found or refused by name, and a migration is a function on the tree.
//
// Writes go through `FileSystem.writeAtomically` (temporary file, fsync, rename), so a crash or
// a full disk during a save leaves the previous save whole. Loading checks, in order: the file
// can be read, the magic, the version, the length, the checksum, then every count and value
// while decoding, then each plugin's checks of its resources and components against the map;
// any failure is a `SaveError` and no existing city is touched, because loading only ever
// builds a new one.
import Checksum
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
    /// The save was written by a game too old for this one to read.
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
            return "This save was made by an older version of NetZero City (format \(found); this game reads formats \(SaveGame.oldestFormat)–\(supported)). \(unchanged)"
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
public struct CatalogOverride: Sendable, Equatable, Codable {
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
    /// `ReplayLog.levelHash(of:)` of the level file the city was started from (nil: none, e.g. a generated level).
    public var levelHash: UInt64?
    /// The name the player gave the save (its slot), if any.
    public var cityName: String?
    public init(levelFile: String = "", catalogOverrides: [CatalogOverride] = [], scriptState: String? = nil,
                levelHash: UInt64? = nil, cityName: String? = nil) {
        self.levelFile = levelFile
        self.catalogOverrides = catalogOverrides
        self.scriptState = scriptState
        self.levelHash = levelHash
        self.cityName = cityName
    }
}

/// The first part of a save's body: enough to show it in a menu and to rebuild its catalog.
public struct SaveHeader: Sendable, Equatable, Codable {
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
    /// The level file's content hash (`ReplayLog.levelHash(of:)`), so that the save finds its level
    /// wherever it is installed (`SaveLevel.locate`). Absent in saves written before it existed
    /// (still format 3: an absent optional field decodes as nil), which find their level by `levelFile`.
    public var levelHash: UInt64?
    /// The name the player gave the save, if any.
    public var cityName: String?

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
        finishTick()  // a save holds whole ticks
        return try SaveGame.encode(self, metadata: metadata)
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
    public static let formatVersion: UInt32 = 8
    /// The oldest format this game reads (through migrations).
    public static let oldestFormat: UInt32 = 2
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
        do {
            if version == 2 { return try SaveHeader(saved: &reader) }
            var header = try readHeader(&reader)
            header.formatVersion = version
            return header
        } catch {
            throw .corrupt(describe(error))
        }
    }

    /// A new city from the bytes of a save.
    public static func decode(_ bytes: [UInt8], catalog: Catalog) throws(SaveError) -> LoadedGame {
        let (body, version) = try openBody(bytes)
        var reader = body
        do {
            let (header, world) = version == 2 ? try decodeFormat2(&reader, catalog: catalog)
                                                : try decodeBody(&reader, version: version, catalog: catalog)
            guard reader.isAtEnd else { throw SnapshotError.invalid("\(reader.remaining) unexpected bytes at the end of the save") }
            try validate(world, catalog: catalog)
            return LoadedGame(city: City(restoring: world, catalog: catalog), header: header)
        } catch {
            throw .corrupt(describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? SnapshotError { return error.description }
        if let error = error as? ArchiveError { return error.description }
        if let error = error as? SaveValidationError { return error.description }
        if let error = error as? DecodingError { return "\(error)" }
        return "\(error)"
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
            if let unread = city.schedule.unreadEvents(city.world).first { throw .unreadEvents(unread) }
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
        guard version >= oldestFormat else { throw .olderVersion(found: version, supported: formatVersion) }
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

    // MARK: - [SECTION] The body: header, entities, resources

    /// Body, format 3 and later: the header, the ECS snapshot, then one record holding every saved
    /// resource under its plugin's key, each an archive tree.
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
                                catalogOverrides: metadata.catalogOverrides, scriptState: metadata.scriptState,
                                levelHash: metadata.levelHash, cityName: metadata.cityName)
        do {
            try Archive.encode(header).write(into: &w)
            try world.snapshot(clearingPaddingOf: City.componentTypes).encode(into: &w)
            var fields: [ArchiveField] = []
            for entry in Simulation.registry.savedResources {
                if let value = try entry.encode(world) { fields.append(ArchiveField(entry.key, value)) }
            }
            ArchiveValue.object(fields).write(into: &w)
        } catch let error as SnapshotError {
            throw error
        } catch {
            throw .invalid("\(error)")
        }
    }

    static func readHeader(_ r: inout BinaryReader) throws -> SaveHeader {
        var header = try Archive.decode(SaveHeader.self, from: try ArchiveValue(reading: &r), path: "header")
        guard header.tick >= 0, header.tick <= 1 << 40 else { throw SnapshotError.invalid("the clock tick \(header.tick) is impossible") }
        header.formatVersion = 3
        return header
    }

    /// Reads a body of format 3 or later: older trees are migrated to today's before decoding.
    static func decodeBody(_ r: inout BinaryReader, version: UInt32, catalog: Catalog) throws -> (SaveHeader, World) {
        var header = try readHeader(&r)
        header.formatVersion = version
        let snapshot = try WorldSnapshot(from: &r)
        var resources = try ArchiveValue(reading: &r)
        try SaveMigrations.migrate(&resources, from: version)
        let world = try World(restoring: snapshot, types: City.componentTypes, defaults: componentDefaults)
        guard case .object(let fields) = resources else { throw SnapshotError.invalid("the resources are not a record") }
        let known = Set(Simulation.registry.savedResources.map(\.key))
        if let stranger = fields.first(where: { !known.contains($0.key) }) {
            throw SnapshotError.invalid("the save holds an unknown resource '\(stranger.key)'")
        }
        for entry in Simulation.registry.savedResources {
            guard let value = resources[entry.key] else {
                if entry.key == "rules" { continue }  // only levels with rules have them
                throw SnapshotError.invalid("the save lacks the resource '\(entry.key)'")
            }
            try entry.decode(value, world)
        }
        return (header, world)
    }

    /// One saved resource from its archive tree. Every number in it must be finite: no figure
    /// the simulation keeps is NaN or infinite, so one that is was damaged or forged.
    static func decodeResource<T: SavedResource>(_ type: T.Type, from value: ArchiveValue, key: String) throws -> T {
        if let path = value.firstNonFinitePath(key) { throw SaveValidationError("\(path) is not a finite number") }
        return try Archive.decode(T.self, from: value, path: key)
    }

    /// One saved resource from its archive bytes (for tools and tests).
    public static func decodeResource<T: SavedResource>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        var reader = BinaryReader(bytes)
        let value = try ArchiveValue(reading: &reader)
        guard reader.isAtEnd else { throw SnapshotError.invalid("\(reader.remaining) unexpected bytes after the value") }
        return try decodeResource(T.self, from: value, key: "\(T.self)")
    }

    /// The archive bytes of one saved resource.
    public static func encodeResource<T: SavedResource>(_ value: T) throws -> [UInt8] { try Archive.encode(value).bytes }

    static let componentDefaults: [String: [UInt8]] = Dictionary(uniqueKeysWithValues:
        Simulation.registry.savedComponents.map { (String(reflecting: $0.type), $0.defaultBytes) })

    /// Checks a loaded world before it becomes a city: every enum and flag byte of every
    /// component, each plugin's checks of its components and resources, map occupants.
    static func validate(_ world: World, catalog: Catalog) throws {
        try world.checkEnumFields(of: City.componentTypes)
        guard let map = world.resource(TileMap.self), let info = world.resource(LevelInfo.self),
              let clock = world.resource(Clock.self) else { throw SaveValidationError("the save lacks its map, level or clock") }
        guard info.startYear == clock.startYear else { throw SaveValidationError("the level and the clock disagree on the start year") }
        for i in 0..<map.tileCount where map.structure[i] == .entity {
            guard world.isAlive(map.occupant[i]) else {
                throw SaveValidationError("tile \(i % map.width), \(i / map.width) holds \(map.occupant[i]), which does not exist")
            }
        }
        for entry in Simulation.registry.savedResources { try entry.validate(world) }
        for entry in Simulation.registry.savedComponents { try entry.validate(world) }
    }
}

// MARK: - [SECTION] Migrations

/// Each step turns the resources of format N into those of format N + 1, on the archive tree
/// (rename a field, add one with its default, split a resource). Format 2 is not here: it is
/// read by its own frozen reader (SaveFormat2.swift) straight into today's types.
enum SaveMigrations {
    static let steps: [UInt32: @Sendable (inout ArchiveValue) throws -> Void] = [
        // Format 4 adds the budget book (BudgetBook.swift): a save from before it starts with an
        // empty one, which books from the load on.
        3: { resources in
            guard case .object(var fields) = resources else { throw SnapshotError.invalid("the resources are not a record") }
            guard !fields.contains(where: { $0.key == "budget_book" }) else { return }
            fields.append(ArchiveField("budget_book", try Archive.encode(BudgetBook())))
            resources = .object(fields)
        },
        // Format 5 adds metro tunnels under the map's tiles (`TileMap.tunnel`, none in an older
        // save) and the city's network books (NetworkBooks.swift: roads, bridges and tunnels
        // built from the load on book their construction carbon there; none before).
        4: { resources in
            guard case .object = resources, var map = resources["map"], case .object = map else {
                throw SnapshotError.invalid("the resources hold no map record")
            }
            if map["tunnel"] == nil {
                guard case .int(let width)? = map["width"], case .int(let height)? = map["height"],
                      (1...Int64(TileMap.maximumSide)).contains(width), (1...Int64(TileMap.maximumSide)).contains(height) else {
                    throw SnapshotError.invalid("the map's size is not readable")
                }
                map.set("tunnel", try Archive.encode(Array(repeating: false, count: Int(width * height))))
                resources.set("map", map)
            }
            if resources["network_books"] == nil { resources.set("network_books", try Archive.encode(NetworkBooks())) }
        },
        // Format 6 books buildings' hourly electricity and gas by load profile (BuildingLoads.swift):
        // an older save's lines are booked to its hour, so its book starts empty, and its
        // buildings are given their loads when the city is rebuilt (`City.init(restoring:)`).
        5: { resources in
            if resources["building_loads"] == nil { resources.set("building_loads", try Archive.encode(BuildingLoadBook())) }
        },
        // Format 7 books commutes by habit (Commutes.swift): an older save's commute lines are
        // booked to its hour, so its book starts empty, and every citizen is given a commute when
        // the city is rebuilt (`City.init(restoring:)`) and reconsiders in the first hour.
        6: { resources in
            if resources["commutes"] == nil {
                var book = CommuteBook()
                book.reconsiderAll = true
                resources.set("commutes", try Archive.encode(book))
            }
        },
        // Format 8 books factories' process and freight and farms' field emissions by load
        // profile too (BuildingLoads.swift). An older save's output lines are booked to its hour,
        // so the load book gains empty output sums; its totals are emptied, so that the first
        // hour settles every building at its saved shares and reads them all again (its
        // buildings' loads gain the output shares, at zero until then, when the snapshot's
        // columns are converted).
        7: { resources in
            guard var book = resources["building_loads"], case .object(let fields) = book else {
                throw SnapshotError.invalid("the resources hold no buildings' load book")
            }
            guard case .object(let fresh) = try Archive.encode(BuildingLoadBook()) else { return }
            for field in fresh where !fields.contains(where: { $0.key == field.key }) { book.set(field.key, field.value) }
            book.set("totals", fresh.first { $0.key == "totals" }!.value)
            resources.set("building_loads", book)
        },
    ]

    static func migrate(_ resources: inout ArchiveValue, from version: UInt32) throws {
        var version = version
        while version < SaveGame.formatVersion {
            guard let step = steps[version] else { throw SnapshotError.invalid("no migration from save format \(version)") }
            try step(&resources)
            version += 1
        }
    }
}
