// Commands.swift — the only way the player (or a level, or a replay) changes the city.
//
// A command names a tool and a tile. Commands are queued with the tick they were issued at and
// applied in the next input phase (while paused, at once, through the same phase), in the
// order they were issued; each gets a typed outcome: done (with its cost and what it changed,
// which is what undo inverts), or refused with a `Refusal` that Game translates. The game,
// level scripts and replays all go through here, so a log of commands is a complete record of
// a run. Undo is itself a command, naming the log index of the command it undoes.

import ECS

public enum Structure: Equatable, Hashable, Sendable, Codable {
    case building(BuildingKind, density: Double = 1)
    case plant(PlantKind)
    case storage(StorageKind)
    case zone(ZoneKind)
    case road, rail, busStop, metroStation, bikeLane
    /// A metro tunnel under a tile (TileMap.tunnel), under whatever stands there.
    case metroTunnel

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
        case .metroTunnel: return "metro_tunnel"
        }
    }

    public static let all: [Structure] = BuildingKind.allCases.map { .building($0) } + PlantKind.allCases.map { .plant($0) }
        + StorageKind.allCases.map { .storage($0) } + ZoneKind.allCases.map { .zone($0) }
        + [.road, .rail, .busStop, .metroStation, .bikeLane, .metroTunnel]

    public static func named(_ key: String) -> Structure? { all.first { $0.key == key } }
}

public enum CityCommand: Equatable, Sendable, Codable {
    case build(Structure, x: Int, y: Int)
    case demolish(x: Int, y: Int)
    case upgrade(UpgradeKind, x: Int, y: Int)
    /// Sets a policy lever (`PolicyLever.all`) from the next tick on.
    case setPolicy(String, Double)
    /// Sells the city's offset credits to a buyer outside the city (Offsets.swift).
    case sellOffsets(count: Int)
    /// Undoes the command at this index of the command log: exactly what it did, and nothing else.
    case undo(index: Int)

    /// The tile a command acts on; nil for city-wide commands.
    public var tile: (x: Int, y: Int)? {
        switch self {
        case .build(_, let x, let y), .demolish(let x, let y), .upgrade(_, let x, let y): return (x, y)
        case .setPolicy, .sellOffsets, .undo: return nil
        }
    }
}

public enum CommandOutcome: Equatable, Sendable, Codable {
    case done(cost: Double)
    case refused(Refusal)

    public var succeeded: Bool { if case .done = self { return true } else { return false } }
}

/// Why a command was refused. `description` is the English text for logs and files; the game
/// shows `key` through its locale files, filled with the associated values.
public enum Refusal: Equatable, Sendable, Codable, CustomStringConvertible {
    case toolUnavailable(tool: String)
    case unknownPolicy(name: String)
    case policyOutOfRange(name: String, lowest: Double, highest: Double, unit: String)
    case notANumber
    case outsideMap
    case noMoney(needed: Double)
    case busStopNeedsRoad
    case metroStationNeedsRail
    case bikeLaneNeedsRoad
    case alreadyBikeLane
    case cannotBuildOn(Terrain)
    case alreadyTunnel
    case tunnelMeetsRail
    case occupied
    case nothingToDemolish
    case nothingToUpgrade
    case captureFitsFossilPlants
    case alreadyCaptures
    case upgradeFitsBuildings
    case alreadyUpgraded
    case pueUpgradeIsForDataCentres
    case sellAtLeastOne
    case noOffsetCredits
    case notEnoughOffsetCredits(held: Int64, asked: Int)
    case registry(String)
    case nothingToUndo
    case alreadyUndone
    case cannotUndo(tool: String)
    case changedSince
    /// A refusal recorded by a format-2 save, as its English text.
    case recorded(String)

    /// The locale key under `refusals.` for the game's text.
    public var key: String {
        switch self {
        case .toolUnavailable: return "tool_unavailable"
        case .unknownPolicy: return "unknown_policy"
        case .policyOutOfRange: return "policy_out_of_range"
        case .notANumber: return "not_a_number"
        case .outsideMap: return "outside_map"
        case .noMoney: return "no_money"
        case .busStopNeedsRoad: return "bus_stop_needs_road"
        case .metroStationNeedsRail: return "metro_station_needs_rail"
        case .bikeLaneNeedsRoad: return "bike_lane_needs_road"
        case .alreadyBikeLane: return "already_bike_lane"
        case .cannotBuildOn(let terrain): return "cannot_build_on_" + terrain.name
        case .alreadyTunnel: return "already_tunnel"
        case .tunnelMeetsRail: return "tunnel_meets_rail"
        case .occupied: return "occupied"
        case .nothingToDemolish: return "nothing_to_demolish"
        case .nothingToUpgrade: return "nothing_to_upgrade"
        case .captureFitsFossilPlants: return "capture_fits_fossil_plants"
        case .alreadyCaptures: return "already_captures"
        case .upgradeFitsBuildings: return "upgrade_fits_buildings"
        case .alreadyUpgraded: return "already_upgraded"
        case .pueUpgradeIsForDataCentres: return "pue_is_for_data_centres"
        case .sellAtLeastOne: return "sell_at_least_one"
        case .noOffsetCredits: return "no_offset_credits"
        case .notEnoughOffsetCredits: return "not_enough_offset_credits"
        case .registry: return "registry"
        case .nothingToUndo: return "nothing_to_undo"
        case .alreadyUndone: return "already_undone"
        case .cannotUndo: return "cannot_undo"
        case .changedSince: return "changed_since"
        case .recorded: return "recorded"
        }
    }

    /// The values a translation may use, by name (numbers already rounded for reading).
    public var values: [(name: String, value: String)] {
        switch self {
        case .toolUnavailable(let tool), .cannotUndo(let tool): return [("tool", tool)]
        case .unknownPolicy(let name): return [("policy", name)]
        case .policyOutOfRange(let name, let lowest, let highest, let unit):
            return [("policy", name), ("lowest", Fixed.format(lowest, 2)), ("highest", Fixed.format(highest, 2)), ("unit", unit)]
        case .noMoney(let needed): return [("needed", String(Int(needed.rounded(.up))))]
        case .notEnoughOffsetCredits(let held, let asked): return [("held", String(held)), ("asked", String(asked))]
        case .registry(let text), .recorded(let text): return [("text", text)]
        default: return []
        }
    }

    public var description: String {
        switch self {
        case .toolUnavailable(let tool): return "the tool '\(tool)' is not available in this level"
        case .unknownPolicy(let name): return "unknown policy '\(name)'"
        case .policyOutOfRange(let name, let lowest, let highest, let unit):
            return "\(name) must be within \(Fixed.format(lowest, 2))…\(Fixed.format(highest, 2)) \(unit)"
        case .notANumber: return "a number in the command is not finite"
        case .outsideMap: return "that place is outside the map"
        case .noMoney(let needed): return "not enough money: it costs \(Int(needed.rounded(.up))) yuan"
        case .busStopNeedsRoad: return "a bus stop goes on a road"
        case .metroStationNeedsRail: return "a metro station goes on a rail line, or over a metro tunnel"
        case .bikeLaneNeedsRoad: return "a bike lane goes on a road"
        case .alreadyBikeLane: return "this road already has a bike lane"
        case .cannotBuildOn(let terrain): return "cannot build on \(terrain.name)"
        case .alreadyTunnel: return "a metro tunnel already runs under here"
        case .tunnelMeetsRail: return "a surface rail line runs here: a tunnel and surface track cannot share a tile"
        case .occupied: return "something is already built there"
        case .nothingToDemolish: return "there is nothing to demolish there"
        case .nothingToUpgrade: return "there is nothing to upgrade there"
        case .captureFitsFossilPlants: return "carbon capture fits coal and gas plants only"
        case .alreadyCaptures: return "this plant already captures its carbon"
        case .upgradeFitsBuildings: return "upgrades fit buildings only"
        case .alreadyUpgraded: return "already upgraded"
        case .pueUpgradeIsForDataCentres: return "the PUE upgrade is for data centres"
        case .sellAtLeastOne: return "sell at least one credit"
        case .noOffsetCredits: return "the city holds no offset credits"
        case .notEnoughOffsetCredits(let held, let asked): return "the city holds \(held) offset credits, not \(asked)"
        case .registry(let text): return text
        case .nothingToUndo: return "there is nothing to undo: that command did not change the city"
        case .alreadyUndone: return "that command was already undone"
        case .cannotUndo(let tool): return "'\(tool)' cannot be undone"
        case .changedSince: return "the place has changed since, so it cannot be undone"
        case .recorded(let text): return text
        }
    }
}

/// What a successful command changed: what its undo must put back.
public enum CommandEffect: Equatable, Sendable, Codable {
    /// A structure built; `entity` for structures with one (buildings, plants, storage, zones).
    case built(Structure, entity: Entity?)
    case demolishedTile(TileStructure)
    /// A metro tunnel filled in (the surface was empty).
    case demolishedTunnel
    case demolishedStructure(Structure)
    case upgraded(UpgradeKind)
    case policy(previous: Double)
    case sold
    case undid(index: Int)
}

/// Who issued a command. Replays record the player's only: a level's script issues its own
/// again when the run is replayed.
public enum CommandSource: String, Sendable, Codable { case player, script }

/// An event: a command was applied (done or refused), at `index` in the command log. Plugins
/// that react to the player's commands (offset projects, the level's `built` triggers, the
/// level script) read these, not the log.
public struct CommandApplied: Sendable {
    public let index: Int
    public let record: CommandRecord
}

public struct CommandRecord: Equatable, Sendable, Codable {
    public var tick: Int64
    public var command: CityCommand
    public var outcome: CommandOutcome
    public var source: CommandSource
    /// What a done command changed (nil for refusals, and for commands saved by format 2).
    public var effect: CommandEffect?

    public init(tick: Int64, command: CityCommand, outcome: CommandOutcome, source: CommandSource, effect: CommandEffect? = nil) {
        self.tick = tick
        self.command = command
        self.outcome = outcome
        self.source = source
        self.effect = effect
    }
}

/// Commands waiting for the next tick, and every command applied so far.
public struct CommandQueue: Sendable, SavedResource {
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
        case .undo: return "undo"
        }
    }
}

/// The command path: the queue, and the input phase that applies it. Registered last, because
/// applying a command may write any component of any plugin.
enum CommandPath: SimulationPlugin {
    static func build(_ sim: SimulationBuilder) {
        sim.resource("commands", CommandQueue.self) { _ in CommandQueue() }
        sim.system("input.commands", Phase.input, writes: sim.componentTypes,
                   readsResources: [Catalog.self, Clock.self, LevelRules.self, LevelInfo.self, TransportState.self, BuildingLoadBook.self,
                                    CommuteBook.self],
                   writesResources: [CommandQueue.self, TileMap.self, Budget.self, BudgetBook.self, Ledger.self, NetworkBooks.self, Policies.self, OffsetBook.self,
                                     CarbonRegistry.self, CityStats.self, CommuteTotals.self, CitizenCarbonAccounts.self],
                   run: Simulation.applyCommands)
        sim.system("input.networks", Phase.input, reads: [TilePosition.self],
                   writes: [Building.self, PowerPlant.self, StorageUnit.self, Citizen.self, Commute.self, PrimaryLine.self, ElectricityLine.self],
                   readsResources: [Catalog.self, Clock.self, Policies.self, LevelInfo.self],
                   writesResources: [TileMap.self, PowerGrid.self, TransportState.self, CommuteBook.self, CommuteTotals.self, CitizenCarbonAccounts.self],
                   after: ["input.commands"]) { ctx in
            ctx.world.applyCommands()  // new structures must exist before they are linked
            City.refreshNetworks(world: ctx.world)
        }
    }
}

extension CommandQueue {
    enum CodingKeys: String, CodingKey { case pending, applied }
    struct Pending: Codable {
        var command: CityCommand
        var source: CommandSource
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(pending.map { Pending(command: $0.command, source: $0.source) }, forKey: .pending)
        try container.encode(applied, forKey: .applied)
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        pending = try container.decode([Pending].self, forKey: .pending).map { ($0.command, $0.source) }
        applied = try container.decode([CommandRecord].self, forKey: .applied)
    }
}
