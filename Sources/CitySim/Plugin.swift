// Plugin.swift — how a concern of the model registers itself, in one place.
//
// Each concern (grid, buildings, transport, sinks, ledger, economy, market, ...) is a
// `SimulationPlugin`: its `build` inserts its resources, adds its systems with the components
// and resources they read and write, and registers the component and resource types its save
// holds. `City`, the save's encoder and decoder and the command path loop over the plugins
// (`Simulation.plugins`); adding a feature means writing its plugin and listing it there.
import ECS

/// What a plugin's resources are made from when a city starts from a level.
public struct CitySetup {
    public let level: LevelSetup
    public let catalog: Catalog
    public let clock: Clock
}

public protocol SimulationPlugin {
    static func build(_ sim: SimulationBuilder)
}

/// Why a saved value cannot be loaded (a save's resource or component is impossible).
public struct SaveValidationError: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A resource that a save holds. `validate` checks what its type cannot: sizes that must agree
/// with the map, counts that must agree with each other, numbers that must be finite.
public protocol SavedResource: Codable {
    func validate(in world: World) throws(SaveValidationError)
}

extension SavedResource {
    public func validate(in world: World) throws(SaveValidationError) {}
}

public final class SimulationBuilder {
    /// One saved resource: its key in the save, and how to write, read and check it.
    struct SavedResourceEntry {
        let key: String
        let typeName: String
        let encode: (World) throws -> ArchiveValue?
        let decode: (ArchiveValue, World) throws -> Void
        let validate: (World) throws(SaveValidationError) -> Void
    }

    struct SavedComponentEntry {
        let type: any Component.Type
        /// The bytes of a default value, for fields that an older save lacks.
        let defaultBytes: [UInt8]
        let validate: (World) throws(SaveValidationError) -> Void
    }

    public let schedule = Schedule(phases: Phase.all)
    private(set) var starters: [(CitySetup, World) -> Void] = []
    private(set) var savedResources: [SavedResourceEntry] = []
    private(set) var savedComponents: [SavedComponentEntry] = []

    init() {}

    /// A resource every city has, saved under `key`.
    public func resource<T: SavedResource>(_ key: String, _ type: T.Type = T.self, make: @escaping (CitySetup) -> T) {
        starters.append { setup, world in world.insertResource(make(setup)) }
        savedResource(key, T.self)
    }

    /// A resource saved under `key` that only some cities have (e.g. a level's rules).
    public func optionalResource<T: SavedResource>(_ key: String, _ type: T.Type) {
        savedResource(key, T.self)
    }

    private func savedResource<T: SavedResource>(_ key: String, _ type: T.Type) {
        precondition(!savedResources.contains { $0.key == key }, "two resources are saved as '\(key)'")
        savedResources.append(SavedResourceEntry(
            key: key, typeName: "\(T.self)",
            encode: { world in try world.resource(T.self).map { try Archive.encode($0) } },
            decode: { value, world in world.insertResource(try SaveGame.decodeResource(T.self, from: value, key: key)) },
            validate: { world throws(SaveValidationError) in try world.resource(T.self)?.validate(in: world) }))
    }

    /// A resource that is not saved: made again when a city starts or loads (e.g. the catalog).
    public func transientResource<T>(_ type: T.Type, make: @escaping (CitySetup) -> T) {
        starters.append { setup, world in world.insertResource(make(setup)) }
    }

    /// A component type the save holds. `defaultValue` fills fields an older save lacks;
    /// `validate` checks one loaded value (its enum and flag bytes are checked before, generically).
    public func component<T: Component>(_ type: T.Type, default defaultValue: T,
                                        validate: @escaping (T, Entity, World) -> String? = { _, _, _ in nil }) {
        var value = defaultValue
        let bytes = withUnsafeBytes(of: &value) { [UInt8]($0) } + [UInt8](repeating: 0, count: max(1, MemoryLayout<T>.stride) - MemoryLayout<T>.size)
        savedComponents.append(SavedComponentEntry(type: T.self, defaultBytes: bytes, validate: { world throws(SaveValidationError) in
            var problem: String?
            world.query(Entity.self, Read<T>.self).forEach { entity, component in
                if problem == nil, let found = validate(component, entity, world) { problem = "\(entity): \(found)" }
            }
            if let problem { throw SaveValidationError("a \(T.self): \(problem)") }
        }))
    }

    /// Adds a system with the components and resources it reads and writes.
    public func system(_ name: String, _ phase: String,
                       reads: [any Component.Type] = [], writes: [any Component.Type] = [],
                       readsResources: [Any.Type] = [], writesResources: [Any.Type] = [],
                       after: [String] = [], before: [String] = [], runsLong: ((World) -> Bool)? = nil,
                       run: @escaping (SystemContext) -> Void) {
        schedule.add(name, phase: phase,
                     access: SystemAccess(reads: reads, writes: writes, resourceReads: readsResources, resourceWrites: writesResources),
                     after: after, before: before, runsLong: runsLong, run: run)
    }

    /// The saved component types of every plugin.
    var componentTypes: [any Component.Type] { savedComponents.map(\.type) }
}
