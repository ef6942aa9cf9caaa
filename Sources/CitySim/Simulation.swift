// Simulation.swift — what runs when: every system of the city, in order.
//
// Phase input
//   input.commands        apply the player's queued commands (build, demolish, upgrade)
//   input.networks        after a road or rail change: rebuild the networks, re-link structures
// Phase simulate
//   weather               this hour's weather (Weather.swift)
//   buildings.demand      electricity and heat demand, gas and process emissions (Buildings.swift)
//   sinks.grow            green zones grow, burn in droughts (Sinks.swift)
//   transport.trips       commutes of this hour's bucket of citizens (Transport.swift)
//   transport.freight     factories' freight by road or rail
//   transport.congestion  at 23:00, today's traffic becomes tomorrow's congestion
//   accounts.households   green points for energy saved; runs before the trips (CarbonAccounts.swift)
//   accounts.redeem       at 23:00 the platform's pool of points plants a forest tile
//   grid.dispatch         merit-order dispatch per power island (Grid.swift)
//   grid.attribute        scope-2 electricity emissions of every consumer
//   economy.budget        taxes, fuel, fixed costs (Economy.swift)
//   economy.daily         at 00:00: air quality, happiness, migration
//   policy.fuel_tax       the carbon tax on all fuel, credited daily; policy.adoption: owners adopt
//                         subsidised upgrades on 1 January, the fossil-rush notice (Adoption.swift)
//   offsets.register      forests and wetlands built under the offset programme become projects (Offsets.swift)
//   certificates.meter    renewable plants meter their output for green-power certificates (Certificates.swift)
// Phase account
//   ledger.close          roll the tick into the hour, day and year books (Ledger.swift)
//   clock.advance         next hour
//   certificates.year     monthly: certificates issued; 1 January: consumers buy and retire them,
//                         location- and market-based electricity emissions (Certificates.swift)
//   offsets.year          daily: reversals of burnt or demolished projects; 1 January: credits
//                         beyond each project's baseline, part to the buffer pool (Offsets.swift)
//   market.year           1 January: settle the closed compliance period, open the next one —
//                         cap, allocation, the call auction, abatement (Market.swift)
//   level.rules           triggers, events, objectives judged at each year's end (Rules.swift)
// Structural changes made by systems (spawns, despawns) are applied at the end of each phase.
import ECS

public enum Simulation {
    public static let version = "0.2.0"

    public static func makeSchedule() -> Schedule {
        let schedule = Schedule(phases: Phase.all)
        // Building and demolishing touch every kind of structure, the citizens who live or work
        // in them, and their ledger lines.
        schedule.add("input.commands", phase: Phase.input, access: SystemAccess(writes: City.componentTypes), run: applyCommands)
        schedule.add("input.networks", phase: Phase.input,
                     access: SystemAccess(reads: [TilePosition.self], writes: [Building.self, PowerPlant.self, StorageUnit.self, Citizen.self]),
                     after: ["input.commands"], run: { ctx in
            ctx.world.applyCommands()  // new structures must exist before they are linked
            City.refreshNetworks(world: ctx.world)
        })
        schedule.add("weather", phase: Phase.simulate, run: advanceWeather)
        Buildings.register(in: schedule)
        Sinks.register(in: schedule)
        Transport.register(in: schedule)
        CarbonAccounts.register(in: schedule)
        Grid.register(in: schedule)
        Economy.register(in: schedule)
        Adoption.register(in: schedule)
        LedgerBooks.register(in: schedule)
        schedule.add("clock.advance", phase: Phase.account, after: ["ledger.close"], run: { ctx in
            ctx.world.withResource(Clock.self) { $0.advance() }
        })
        Rules.register(in: schedule)
        Offsets.register(in: schedule)
        Certificates.register(in: schedule)
        Market.register(in: schedule)
        return schedule
    }

    static func applyCommands(_ ctx: SystemContext) {
        applyQueuedCommands(world: ctx.world)
    }

    static func applyQueuedCommands(world: World) {
        let queue = world.resource(CommandQueue.self)!
        guard !queue.pending.isEmpty else { return }
        let tick = world.resource(Clock.self)!.tick
        var records: [CommandRecord] = []
        var jobsChanged = false
        let rules = world.resource(LevelRules.self)
        for (command, source) in queue.pending {
            let outcome: CommandOutcome
            if source == .player, let rules, !rules.allows(command.tool) {
                outcome = .refused("the tool '\(command.tool)' is not available in this level")
            } else {
                outcome = City.apply(command, world: world, free: false)
            }
            records.append(CommandRecord(tick: tick, command: command, outcome: outcome, source: source))
            if case .done = outcome, case .build(.building, _, _) = command { jobsChanged = true }
        }
        world.withResource(CommandQueue.self) { q in
            q.pending.removeAll()
            q.applied += records
        }
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
