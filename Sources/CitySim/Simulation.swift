// Simulation.swift — the list of the model's plugins, and the city's core: clock, weather, map.
//
// What runs when is resolved from each plugin's systems and their `after:` / `before:`
// constraints; `netzero schedule` prints the resolved order (with `--access`, what each system
// reads and writes), and `ArchitectureTests` pins it. `docs/simulation.md` describes each system.
import ECS

public enum Simulation {
    public static let version = "0.3.0"

    /// Every concern of the model, in registration order (which breaks ties in the schedule).
    public static let plugins: [any SimulationPlugin.Type] = [
        CityCore.self, Buildings.self, Sinks.self, Transport.self, CarbonAccounts.self, Grid.self, Economy.self,
        Adoption.self, LedgerBooks.self, CityClock.self, Rules.self, Offsets.self, Certificates.self, Market.self,
        CarbonRegistryPlugin.self, StateJournalPlugin.self, CommandPath.self,
    ]

    /// Every plugin built into one builder: the schedule, the resources and the saved types.
    static func build() -> SimulationBuilder {
        let builder = SimulationBuilder()
        for plugin in plugins { plugin.build(builder) }
        return builder
    }

    public static func makeSchedule() -> Schedule { build().schedule }

    /// The plugins' registrations, built once for what does not change between cities: the
    /// saved types (each city builds its own schedule, which keeps per-city state).
    nonisolated(unsafe) static let registry = build()
    static var componentTypes: [any Component.Type] { registry.componentTypes }
}

/// The catalog, the clock, the weather, the map and the level's identity.
enum CityCore: SimulationPlugin {
    static func build(_ sim: SimulationBuilder) {
        sim.transientResource(Catalog.self) { $0.catalog }
        sim.resource("level", LevelInfo.self) { $0.level.info }
        sim.resource("clock", Clock.self) { $0.clock }
        sim.resource("weather", Weather.self) { Weather(seed: $0.level.info.seed) }
        sim.resource("map", TileMap.self) { setup in
            var map = TileMap(width: setup.level.width, height: setup.level.height)
            for (x, y, terrain) in setup.level.terrain where map.contains(x, y) { map.setTerrain(x, y, terrain) }
            return map
        }
        sim.component(TilePosition.self, default: TilePosition(0, 0)) { position, _, world in
            let map = world.resource(TileMap.self)!
            guard map.contains(Int(position.x), Int(position.y)) else { return "its tile (\(position.x), \(position.y)) is outside the map" }
            return nil
        }
        sim.system("weather", Phase.simulate, readsResources: [Catalog.self, Clock.self], writesResources: [Weather.self],
                   run: Simulation.advanceWeather)
    }
}

/// The hour after: the clock moves on once the hour's books are closed.
enum CityClock: SimulationPlugin {
    static func build(_ sim: SimulationBuilder) {
        sim.system("clock.advance", Phase.account, writesResources: [Clock.self], after: ["ledger.close"]) { ctx in
            ctx.world.withResource(Clock.self) { $0.advance() }
        }
    }
}

extension Simulation {
    static func applyCommands(_ ctx: SystemContext) {
        applyQueuedCommands(world: ctx.world)
    }

    static func applyQueuedCommands(world: World) {
        let queue = world.resource(CommandQueue.self)!
        guard !queue.pending.isEmpty else { return }
        let tick = world.resource(Clock.self)!.tick
        var jobsChanged = false
        let rules = world.resource(LevelRules.self)
        for (command, source) in queue.pending {
            var result: (outcome: CommandOutcome, effect: CommandEffect?)
            if source == .player, let rules, !rules.allows(command.tool), command.tool != "undo" {
                result = (.refused(.toolUnavailable(tool: command.tool)), nil)
            } else {
                result = City.perform(command, world: world, free: false)
            }
            let record = CommandRecord(tick: tick, command: command, outcome: result.outcome, source: source, effect: result.effect)
            // Logged at once, so that an undo later in the same batch finds this record.
            let index = world.withResource(CommandQueue.self) { queue in
                queue.applied.append(record)
                return queue.applied.count - 1
            }
            world.send(CommandApplied(index: index, record: record))
            if result.outcome.succeeded, case .build(.building, _, _) = command { jobsChanged = true }
        }
        world.withResource(CommandQueue.self) { $0.pending.removeAll() }
        if jobsChanged {
            world.applyCommands()
            Population.matchUnemployed(world: world, catalog: world.resource(Catalog.self)!)
        }
    }

    static func advanceWeather(_ ctx: SystemContext) {
        let world = ctx.world
        let catalog = world.resource(Catalog.self)!
        let clock = world.resource(Clock.self)!
        world.withResource(Weather.self) { $0.advance(clock: clock, spec: catalog.weather, disturbance: catalog.disturbance) }
    }
}

extension Simulation {
    /// The resolved order, one line per system under its phase (`netzero schedule`).
    public static func describeSchedule(withAccess: Bool = false) -> [String] {
        let schedule = makeSchedule()
        var lines: [String] = []
        let declared = Dictionary(uniqueKeysWithValues: schedule.declaredAccess.map { ($0.name, $0.access) })
        func names(_ types: [Any.Type]) -> String { types.map { "\($0)" }.joined(separator: ", ") }
        for (phase, systems) in (try? schedule.order()) ?? [] {
            lines.append("phase \(phase)")
            for system in systems {
                lines.append("  \(system)")
                guard withAccess, let access = declared[system] else { continue }
                if !access.reads.isEmpty { lines.append("      reads      \(names(access.reads))") }
                if !access.writes.isEmpty { lines.append("      writes     \(names(access.writes))") }
                if !access.resourceReads.isEmpty { lines.append("      resources  reads \(names(access.resourceReads))") }
                if !access.resourceWrites.isEmpty { lines.append("      resources  writes \(names(access.resourceWrites))") }
            }
        }
        return lines
    }
}
