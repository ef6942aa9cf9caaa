// Rules.swift — a level's rules at run time: objectives, triggers, events, tools, the result.
//
// Phase account, "level.rules" (after clock.advance, so a closed year is in the ledger):
//   1. events that have run their days end (their effect is undone);
//   2. triggers whose condition now holds run their actions (once, unless `once = false`);
//   3. at the end of each year, objectives due that year are judged met or failed;
//   4. the result: won when every required objective is met (or a trigger says win), lost when
//      a required objective fails (or a trigger says lose), undecided otherwise.
// Scripts (Lua) hook in through `LevelScriptHost`, called at the same points.
import ECS

public enum LevelResult: String, Sendable, Codable { case won, lost, undecided }

public struct LevelMessage: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable { case message, advisor, event, objective, script }
    public var tick: Int64
    public var kind: Kind
    public var text: Names
}

public struct ActiveEvent: Sendable, Equatable, Codable {
    public var kind: LevelEventKind
    public var endsAtTick: Int64
}

/// An event: the objective at `index` was decided at its deadline (met or failed).
public struct ObjectiveChanged: Sendable {
    public let index: Int
    public let id: String
    public let status: ObjectiveStatus
}

/// The level's rules and its progress; a resource of the world.
public struct LevelRules: Sendable, SavedResource {
    public var objectives: [Objective]
    public var triggers: [Trigger]
    public var allowedTools: Set<String>?
    public internal(set) var statuses: [ObjectiveStatus]
    /// The objectives' metric values when last judged or refreshed.
    public internal(set) var values: [Double]
    public internal(set) var fired: [Bool]
    public internal(set) var result: LevelResult = .undecided
    public internal(set) var messages: [LevelMessage] = []
    public internal(set) var events: [ActiveEvent] = []
    /// Keys of the structures built since the rules last ran (for `built` triggers), sorted.
    var builtSinceCheck: [String] = []

    public init(objectives: [Objective] = [], triggers: [Trigger] = [], allowedTools: Set<String>? = nil) {
        self.objectives = objectives
        self.triggers = triggers
        self.allowedTools = allowedTools
        statuses = Array(repeating: .pending, count: objectives.count)
        values = Array(repeating: 0, count: objectives.count)
        fired = Array(repeating: false, count: triggers.count)
    }

    public func allows(_ tool: String) -> Bool { allowedTools?.contains(tool) ?? true }

    mutating func post(_ kind: LevelMessage.Kind, _ text: Names, tick: Int64) {
        messages.append(LevelMessage(tick: tick, kind: kind, text: text))
        if messages.count > 200 { messages.removeFirst(messages.count - 200) }
    }
}

/// What a level script can be told; implemented by the scripting layer (Lua).
public protocol LevelScriptHost: AnyObject {
    func onStart(_ city: City)
    func onTick(_ city: City)
    func onDay(_ city: City)
    func onYear(_ city: City)
    func onBuild(_ city: City, entity: Entity, structure: String, x: Int, y: Int)
    func onObjective(_ city: City, id: String, status: ObjectiveStatus)
    /// Told when the host is attached to a city (again, after a load).
    func didAttach(to city: City)
    /// The script's persistent state, written into saves.
    func saveState() -> String
    /// Restores the state read from a save.
    func restoreScriptState(_ text: String) throws
}

public enum Rules: SimulationPlugin {
    public static func build(_ sim: SimulationBuilder) {
        sim.optionalResource("rules", LevelRules.self)
        sim.system("level.rules", Phase.account,
                   readsResources: [Catalog.self, Clock.self, Ledger.self, CityStats.self, Budget.self, CommandQueue.self, TileMap.self,
                                    CarbonMarket.self, CertificateBook.self, OffsetBook.self, CitizenCarbonAccounts.self, PowerGrid.self],
                   writesResources: [LevelRules.self, Budget.self, BudgetBook.self, Weather.self, MarketConditions.self, Policies.self],
                   after: ["clock.advance"], run: { evaluate($0.world) })
        // In the input phase, so that a paused game's builds are noted before it can be saved.
        sim.system("level.built", Phase.input, writesResources: [LevelRules.self], after: ["input.commands"]) { ctx in
            let built = ctx.readEvents(CommandApplied.self).compactMap { event -> String? in
                guard case .build(let structure, _, _) = event.record.command, case .done = event.record.outcome else { return nil }
                return structure.key
            }
            guard !built.isEmpty, ctx.world.resource(LevelRules.self) != nil else { return }
            ctx.world.withResource(LevelRules.self) { $0.builtSinceCheck = Array(Set($0.builtSinceCheck + built)).sorted() }
        }
    }

    /// A metric's value now. `year`: the closed year to read year metrics from (nil = this year so far).
    public static func value(_ metric: Metric, world: World, closedYear: Int? = nil) -> Double {
        let ledger = world.resource(Ledger.self)!
        // At 1 January 00:00 the new year has no hours yet: a year metric reads the year just closed.
        let yearJustStarted = world.resource(Clock.self)!.isNewYear && !ledger.years.isEmpty
        let period = closedYear.flatMap { year in ledger.years.last { $0.start.year == year } }
            ?? (yearJustStarted ? ledger.years.last! : ledger.thisYear)
        switch metric {
        case .netEmissions: return period.net
        case .netIncludingScope3: return period.netIncludingScope3
        case .cumulativeEmissions: return ledger.cumulative.cityNet
        case .peakYear: return Double(ledger.years.max { $0.net < $1.net }?.start.year ?? 0)
        case .renewableShare: return period.renewableShare
        case .gridFactor: return period.gridFactor
        case .budget: return world.resource(Budget.self)!.balance
        case .population: return Double(world.resource(CityStats.self)!.population)
        case .happiness: return world.resource(CityStats.self)!.happiness
        case .blackoutHours:
            return Double(period.blackoutHours)
        case .greenCoverage:
            let map = world.resource(TileMap.self)!
            let land = map.terrain.reduce(0) { $0 + ($1.isBuildable ? 1 : 0) }
            return land > 0 ? Double(world.resource(CityStats.self)!.greenTiles) / Double(land) : 0
        case .treesPlantedFromPoints: return world.resource(CitizenCarbonAccounts.self)?.treesPlanted ?? 0
        case .carbonPrice: return world.resource(CarbonMarket.self)?.price ?? 0
        case .complianceRate:
            let market = world.resource(CarbonMarket.self)
            let settled = closedYear.flatMap { year in market?.periods.last { $0.year == year } } ?? market?.periods.last
            return settled?.complianceRate ?? 1
        case .certificatesRetired: return Double(world.resource(CertificateBook.self)?.totalRetired ?? 0)
        case .netAfterTransfers:
            let year = closedYear ?? world.resource(Clock.self)!.year
            return CityView(world: world, catalog: world.resource(Catalog.self)!).carbonPosition(year: year).afterTransfers
        }
    }

    static func evaluate(_ world: World) {
        guard var rules = world.resource(LevelRules.self) else { return }
        let clock = world.resource(Clock.self)!
        let tick = clock.tick
        // 1. Events that have run their course.
        for event in rules.events where event.endsAtTick <= tick { end(event, world: world) }
        rules.events.removeAll { $0.endsAtTick <= tick }
        // Structures built since the last evaluation (for `built` conditions).
        let built = Set(rules.builtSinceCheck)
        rules.builtSinceCheck = []
        // 3. Objectives due at the year that just closed.
        if clock.isNewYear {
            let closed = clock.year - 1
            for (i, objective) in rules.objectives.enumerated() where rules.statuses[i] == .pending && objective.deadlineYear == closed {
                let value = self.value(objective.metric, world: world, closedYear: closed)
                rules.values[i] = value
                rules.statuses[i] = objective.comparison.holds(value, objective.target) ? .met : .failed
                world.send(ObjectiveChanged(index: i, id: objective.id, status: rules.statuses[i]))
                rules.post(.objective, Names(en: "\(objective.title.en): \(rules.statuses[i].rawValue)",
                                             zh: "\(objective.title.zh)：\(rules.statuses[i] == .met ? "达成" : "未达成")"), tick: tick)
            }
        }
        // Progress shown in the HUD: the current value of each pending objective.
        if clock.isNewDay {
            for (i, objective) in rules.objectives.enumerated() where rules.statuses[i] == .pending {
                rules.values[i] = value(objective.metric, world: world)
            }
        }
        // 2. Triggers.
        for (i, trigger) in rules.triggers.enumerated() where !(trigger.once && rules.fired[i]) {
            let holds: Bool
            switch trigger.when {
            case .metric(let metric, let comparison, let target): holds = comparison.holds(value(metric, world: world), target)
            case .date(let y, let m, let d):
                holds = (clock.date.year, clock.date.month, clock.date.day) >= (y, m, d) && (trigger.once || clock.isNewDay)
            case .built(let key): holds = built.contains(key)
            case .objective(let id, let status): holds = rules.objectives.firstIndex { $0.id == id }.map { rules.statuses[$0] == status } ?? false
            }
            guard holds else { continue }
            rules.fired[i] = true
            for action in trigger.actions { run(action, rules: &rules, world: world, tick: tick) }
        }
        // 4. The result.
        if rules.result == .undecided {
            let required = rules.objectives.indices.filter { rules.objectives[$0].required }
            if required.contains(where: { rules.statuses[$0] == .failed }) {
                rules.result = .lost
            } else if !required.isEmpty && required.allSatisfy({ rules.statuses[$0] == .met }) {
                rules.result = .won
            }
        }
        world.insertResource(rules)
    }

    static func run(_ action: TriggerAction, rules: inout LevelRules, world: World, tick: Int64) {
        switch action {
        case .message(let text): rules.post(.message, text, tick: tick)
        case .advisor(let text): rules.post(.advisor, text, tick: tick)
        case .grant(let yuan):
            world.withResource(Budget.self) { $0.earn(yuan) }
            world.book(.grants, yuan, closingHour: true)
        case .unlock(let tool): rules.allowedTools?.insert(tool)
        case .win: if rules.result == .undecided { rules.result = .won }
        case .lose: if rules.result == .undecided { rules.result = .lost }
        case .event(let kind, let days, let policy, let value):
            let event = ActiveEvent(kind: kind, endsAtTick: tick + Int64(days) * 24)
            switch kind {
            case .heatwave:
                world.withResource(Weather.self) { $0.eventWarming = value ?? 8 }
            case .drought:
                world.withResource(Weather.self) { weather in
                    var fixed = weather.override ?? WeatherOverride()
                    fixed.drought = true
                    weather.override = fixed
                }
            case .fuelPriceSpike:
                world.withResource(MarketConditions.self) { $0.fuelPriceMultiplier = value ?? 3 }
            case .coalShortage:
                world.withResource(MarketConditions.self) { $0.coalAvailability = value.map { min(1, max(0, $0)) } ?? 0.5 }
            case .policyChange:
                // A policy change is permanent: nothing to undo when its days are over.
                if let policy, let value { setPolicy(policy, value, world: world) }
            }
            rules.events.append(event)
            rules.post(.event, Names(en: "Event: \(kind.rawValue.replacingOccurrences(of: "_", with: " ")) for \(days) days",
                                     zh: "事件：\(eventNameZh(kind))，持续\(days)天"), tick: tick)
        }
    }

    static func end(_ event: ActiveEvent, world: World) {
        switch event.kind {
        case .heatwave: world.withResource(Weather.self) { $0.eventWarming = 0 }
        case .drought: world.withResource(Weather.self) { $0.override?.drought = nil }
        case .fuelPriceSpike: world.withResource(MarketConditions.self) { $0.fuelPriceMultiplier = 1 }
        case .coalShortage: world.withResource(MarketConditions.self) { $0.coalAvailability = 1 }
        case .policyChange: break
        }
    }

    /// Sets a named policy; returns its previous value, or nil for an unknown name.
    @discardableResult
    public static func setPolicy(_ name: String, _ value: Double, world: World) -> Double? {
        guard let lever = PolicyLever.named(name) else { return nil }
        var previous: Double?
        world.withResource(Policies.self) { policies in
            previous = policies[lever]
            policies[lever] = value
        }
        return previous
    }

    /// Posts to the level's feed, if the city runs a level (test towns have none).
    static func post(_ kind: LevelMessage.Kind, world: World, _ text: Names, tick: Int64) {
        guard world.resource(LevelRules.self) != nil else { return }
        world.withResource(LevelRules.self) { $0.post(kind, text, tick: tick) }
    }

    static func eventNameZh(_ kind: LevelEventKind) -> String {
        switch kind {
        case .heatwave: return "热浪"
        case .fuelPriceSpike: return "燃料价格飙升"
        case .drought: return "干旱"
        case .coalShortage: return "煤炭短缺"
        case .policyChange: return "政策调整"
        }
    }
}

extension City {
    /// Posts a message to the level's feed (scripts and events use this).
    public func post(_ text: Names, kind: LevelMessage.Kind = .script) {
        let tick = view.clock.tick
        world.withResource(LevelRules.self) { $0.post(kind, text, tick: tick) }
    }

    /// Adds an objective while the level runs (a script's `add_objective`).
    public func addObjective(_ objective: Objective) {
        if world.resource(LevelRules.self) == nil { world.insertResource(LevelRules()) }
        world.withResource(LevelRules.self) { rules in
            guard !rules.objectives.contains(where: { $0.id == objective.id }) else { return }
            rules.objectives.append(objective)
            rules.statuses.append(.pending)
            rules.values.append(0)
        }
    }

    /// Runs one of the level's trigger actions now (a script's `grant`, `unlock`, `advisor`,
    /// `event`): the level's own rules, as a `[[triggers]]` action would run them.
    public func runLevelAction(_ action: TriggerAction) {
        if world.resource(LevelRules.self) == nil { world.insertResource(LevelRules()) }
        let tick = view.clock.tick
        let world = self.world
        world.withResource(LevelRules.self) { rules in Rules.run(action, rules: &rules, world: world, tick: tick) }
    }

    /// Ends the level now (a script's `win()` / `lose()`); an already decided level stays decided.
    public func decide(_ result: LevelResult) {
        if world.resource(LevelRules.self) == nil { world.insertResource(LevelRules()) }
        world.withResource(LevelRules.self) { rules in if rules.result == .undecided { rules.result = result } }
    }

    /// A metric's current value.
    public func metric(_ metric: Metric) -> Double { Rules.value(metric, world: world) }

    /// Sets a policy by its level-file name; false for an unknown name.
    @discardableResult
    public func setPolicy(_ name: String, _ value: Double) -> Bool { Rules.setPolicy(name, value, world: world) != nil }

    /// Changes one catalog factor for the rest of the run (a script's `set_catalog`).
    public func setCatalogValue(_ path: String, _ value: Double, source: String) throws(CatalogError) {
        let updated = try catalog.setting(path, to: value, source: source)
        world.insertResource(updated)
    }
}

extension LevelRules {
    enum CodingKeys: String, CodingKey {
        case objectives, triggers, allowedTools, statuses, values, fired, result, messages, events, builtSinceCheck
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(objectives, forKey: .objectives)
        try container.encode(triggers, forKey: .triggers)
        try container.encodeIfPresent(allowedTools?.sorted(), forKey: .allowedTools)  // a set has no stable order
        try container.encode(statuses, forKey: .statuses)
        try container.encode(values, forKey: .values)
        try container.encode(fired, forKey: .fired)
        try container.encode(result, forKey: .result)
        try container.encode(messages, forKey: .messages)
        try container.encode(events, forKey: .events)
        try container.encode(builtSinceCheck, forKey: .builtSinceCheck)
    }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(objectives: try container.decode([Objective].self, forKey: .objectives),
                  triggers: try container.decode([Trigger].self, forKey: .triggers),
                  allowedTools: try container.decodeIfPresent([String].self, forKey: .allowedTools).map(Set.init))
        statuses = try container.decode([ObjectiveStatus].self, forKey: .statuses)
        values = try container.decode([Double].self, forKey: .values)
        fired = try container.decode([Bool].self, forKey: .fired)
        result = try container.decode(LevelResult.self, forKey: .result)
        messages = try container.decode([LevelMessage].self, forKey: .messages)
        events = try container.decode([ActiveEvent].self, forKey: .events)
        // Saves of release 0.3.0 kept a cursor into the command log instead; the commands it had not
        // reached were at most those of a paused moment, which then count as not built.
        builtSinceCheck = try container.decodeIfPresent([String].self, forKey: .builtSinceCheck) ?? []
    }

    public func validate(in world: World) throws(SaveValidationError) {
        guard statuses.count == objectives.count, values.count == objectives.count, fired.count == triggers.count else {
            throw SaveValidationError("the level's progress does not match its \(objectives.count) objectives and \(triggers.count) triggers")
        }
        if let stranger = builtSinceCheck.first(where: { Structure.named($0) == nil }) {
            throw SaveValidationError("the rules remember building '\(stranger)', which the game does not have")
        }
    }
}

extension CityView {
    /// Each objective's value as a player should see it: the value it was decided on once met or
    /// failed, else the metric now. (`LevelRules.values` is refreshed once a game day, so it reads
    /// 0 until the first day has passed, e.g. "0 / 300" islanders while the top bar says 360.)
    public func objectiveValues() -> [Double] {
        guard let rules else { return [] }
        return rules.objectives.indices.map { i in
            rules.statuses[i] == .pending ? Rules.value(rules.objectives[i].metric, world: world) : rules.values[i]
        }
    }

    /// A metric's value now (this year so far for a year metric).
    public func metricValue(_ metric: Metric) -> Double { Rules.value(metric, world: world) }
}
