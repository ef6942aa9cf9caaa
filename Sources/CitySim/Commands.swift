// Commands.swift — the only way the player (or a level, or a replay) changes the city.
//
// A command names a tool and a tile. Commands are queued with the tick they were issued at and
// applied at the start of the next tick, in the order they were issued; each gets a result
// (done, or refused with a reason). The game, the renderer and replays all go through here, so
// a log of commands is a complete record of a run.

public enum Structure: Equatable, Hashable, Sendable {
    case building(BuildingKind, density: Double = 1)
    case plant(PlantKind)
    case storage(StorageKind)
    case zone(ZoneKind)
    case road, rail, busStop, metroStation, bikeLane

    /// A stable text name, used in replay logs and level files.
    public var key: String {
        switch self {
        case .building(let kind, _): return kind.key
        case .plant(let kind): return kind.key + "_plant"
        case .storage(let kind): return kind.key
        case .zone(let kind): return kind.key
        case .road: return "road"
        case .rail: return "rail"
        case .busStop: return "bus_stop"
        case .metroStation: return "metro_station"
        case .bikeLane: return "bike_lane"
        }
    }

    public static let all: [Structure] = BuildingKind.allCases.map { .building($0) } + PlantKind.allCases.map { .plant($0) }
        + StorageKind.allCases.map { .storage($0) } + ZoneKind.allCases.map { .zone($0) }
        + [.road, .rail, .busStop, .metroStation, .bikeLane]

    public static func named(_ key: String) -> Structure? { all.first { $0.key == key } }
}

public enum CityCommand: Equatable, Sendable {
    case build(Structure, x: Int, y: Int)
    case demolish(x: Int, y: Int)
    case upgrade(UpgradeKind, x: Int, y: Int)
    /// Sets a policy lever (`PolicyLever.all`) from the next tick on.
    case setPolicy(String, Double)
    /// Sells the city's offset credits to a buyer outside the city (Offsets.swift).
    case sellOffsets(count: Int)

    /// The tile a command acts on; nil for city-wide commands.
    public var tile: (x: Int, y: Int)? {
        switch self {
        case .build(_, let x, let y), .demolish(let x, let y), .upgrade(_, let x, let y): return (x, y)
        case .setPolicy, .sellOffsets: return nil
        }
    }
}

public enum CommandOutcome: Equatable, Sendable {
    case done(cost: Double)
    case refused(String)
}

/// Who issued a command. Replays record the player's only: a level's script issues its own
/// again when the run is replayed.
public enum CommandSource: String, Sendable { case player, script }

public struct CommandRecord: Equatable, Sendable {
    public var tick: Int64
    public var command: CityCommand
    public var outcome: CommandOutcome
    public var source: CommandSource
}

/// Commands waiting for the next tick, and every command applied so far.
public struct CommandQueue: Sendable {
    public internal(set) var pending: [(command: CityCommand, source: CommandSource)] = []
    public internal(set) var applied: [CommandRecord] = []
    public init() {}
}

extension CityCommand {
    /// The tool a command uses, as named in level files: a structure key, "demolish", or an upgrade key.
    public var tool: String {
        switch self {
        case .build(let structure, _, _): return structure.key
        case .demolish: return "demolish"
        case .upgrade(let upgrade, _, _): return upgrade.key
        case .setPolicy: return "policies"
        case .sellOffsets: return "sell_offsets"
        }
    }
}
