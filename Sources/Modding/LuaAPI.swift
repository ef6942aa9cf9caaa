// LuaAPI.swift — the functions a level script may call: one table, which registers them in the
// sandbox, documents them (docs/lua-api.md is generated from it: `netzero lua-api`), and tells
// `netzero check` which globals and names exist (LuaLint.swift).
import CitySim
import ECS
import Scripting

/// One function of the Lua API.
public struct LuaAPIFunction: Sendable {
    public let name: String
    public let signature: String
    public let summary: String
    /// Instructions charged per call (docs/modding.md, budgets).
    let cost: Int
    let run: @Sendable (LevelScripting, [LuaValue]) throws -> [LuaValue]

    init(_ name: String, _ signature: String, _ summary: String, cost: Int = LuaSandbox.defaultHostCallCost,
         run: @escaping @Sendable (LevelScripting, [LuaValue]) throws -> [LuaValue]) {
        self.name = name
        self.signature = signature
        self.summary = summary
        self.cost = cost
        self.run = run
    }
}

/// A hook a script may define.
public struct LuaHook: Sendable {
    public let signature: String
    public let summary: String
}

extension LevelScripting {
    public static let hooks: [LuaHook] = [
        LuaHook(signature: "on_start()", summary: "once, before the first tick"),
        LuaHook(signature: "on_build(entity, structure, x, y)", summary: "after a tick, for each structure built in it (`\"solar_plant\"`, …)"),
        LuaHook(signature: "on_objective(id, status)", summary: "after a tick, for each objective decided in it: `\"met\"` or `\"failed\"`"),
        LuaHook(signature: "on_tick(tick)", summary: "after every tick: the hour number since the start"),
        LuaHook(signature: "on_day(date)", summary: "at midnight: `\"2025-03-01 00:00\"`"),
        LuaHook(signature: "on_year(year)", summary: "on 1 January: the year that begins"),
    ]

    public static var hookNames: [String] { hooks.map { String($0.signature.prefix { $0 != "(" }) } }

    /// Every function of the API, in the order docs/lua-api.md lists them.
    public static let functions: [LuaAPIFunction] = [
        LuaAPIFunction("metric", "metric(name) → number",
                       "a metric's value now (names as in docs/levels.md: `net_emissions`, `population`, …)") { host, args in
            let metric = try known(args, 0, "metric", "metric", Metric.allCases.map(\.rawValue)) { Metric(rawValue: $0) }
            return [.number(try host.attachedCity().metric(metric))]
        },
        LuaAPIFunction("tile", "tile(x, y) → table or nil",
                       "`{ terrain = \"land\", structure = \"entity\", kind = \"forest\" }`, or nil off the map") { host, args in
            let x = try integer(args, 0, "tile", coordinates), y = try integer(args, 1, "tile", coordinates)
            let view = try host.attachedCity().view
            let map = view.map
            guard map.contains(x, y) else { return [.nil] }
            let i = map.index(x, y)
            var kind = ""
            let occupant = map.occupant[i]
            if let building = view.building(occupant) { kind = building.kind.key }
            else if let plant = view.plant(occupant) { kind = plant.kind.key + "_plant" }
            else if let zone = view.zone(occupant) { kind = zone.kind.key }
            else if let storage = view.storage(occupant) { kind = storage.kind.key }
            return [.table([LuaTableEntry("terrain", .string(map.terrain[i].name)),
                            LuaTableEntry("structure", .string("\(map.structure[i])")),
                            LuaTableEntry("kind", .string(kind))])]
        },
        LuaAPIFunction("build", "build(structure, x, y) → true",
                       "queues a build for the next tick, as the script's command (the city's rules, money and terrain apply)") { host, args in
            let structure = try known(args, 0, "build", "structure", Structure.all.map(\.key)) { Structure.named($0) }
            let x = try integer(args, 1, "build", coordinates), y = try integer(args, 2, "build", coordinates)
            try host.countCommand()
            try host.attachedCity().submit(.build(structure, x: x, y: y), from: .script)
            return [.bool(true)]
        },
        LuaAPIFunction("demolish", "demolish(x, y)", "queues a demolition for the next tick, as the script's command") { host, args in
            let x = try integer(args, 0, "demolish", coordinates), y = try integer(args, 1, "demolish", coordinates)
            try host.countCommand()
            try host.attachedCity().submit(.demolish(x: x, y: y), from: .script)
            return []
        },
        LuaAPIFunction("set_policy", "set_policy(name, value) → true",
                       "queues a policy change for the next tick, as the script's command; a policy key of docs/levels.md (`carbon_tax`, `cap_stringency`, …) and a value in its range, else an error") { host, args in
            let lever = try known(args, 0, "set_policy", "policy", PolicyLever.all.map(\.name)) { PolicyLever.named($0) }
            let value = try number(args, 1, "set_policy")
            guard lever.range.contains(value) else {
                throw APIError("set_policy: \(lever.name) must be from \(lever.range.lowerBound) to \(lever.range.upperBound) \(lever.unit), not \(value)")
            }
            try host.countCommand()
            try host.attachedCity().submit(.setPolicy(lever.name, value), from: .script)
            return [.bool(true)]
        },
        LuaAPIFunction("set_catalog", "set_catalog(path, value)",
                       "changes a catalog factor for the rest of the run (same unit; the source becomes \"level script …\")",
                       cost: catalogChangeCost) { host, args in
            let path = try text(args, 0, "set_catalog")
            let value = try number(args, 1, "set_catalog")
            try host.countCommand(catalog: true)
            do {
                try host.attachedCity().setCatalogValue(path, value, source: "level script \(host.script.file)")
            } catch let error as CatalogError {
                throw APIError("set_catalog: " + (error.errors.first?.message ?? "refused"))
            }
            return []
        },
        LuaAPIFunction("message", "message(en, zh)", "a message in the feed, in both languages (and in `netzero run --log`)") { host, args in
            try host.post(args, "message", kind: .script)
            return []
        },
        LuaAPIFunction("text", "text(key) → en, zh",
                       "a string of the level's mod in both languages, from its `locale/en.toml` and `zh.toml` (`[section] key = …` is `\"section.key\"`): `message(text(\"rooftop.welcome\"))`") { host, args in
            let en = host.script.strings["en"] ?? [:], zh = host.script.strings["zh"] ?? [:]
            let key = try known(args, 0, "text", "string", Set(en.keys).union(zh.keys).sorted()) { $0 }
            return [.string(en[key] ?? zh[key] ?? key), .string(zh[key] ?? en[key] ?? key)]
        },
        LuaAPIFunction("advisor", "advisor(en, zh)", "an advisor's card, as a trigger's `advisor` action") { host, args in
            try host.post(args, "advisor", kind: .advisor)
            return []
        },
        LuaAPIFunction("grant", "grant(yuan)", "adds money to the budget (negative takes it away), as a trigger's `grant` action") { host, args in
            let yuan = try number(args, 0, "grant")
            guard yuan.magnitude <= 1e12 else { throw APIError("grant: at most ±1e12 yuan at once, not \(yuan)") }
            try host.attachedCity().runLevelAction(.grant(yuan))
            return []
        },
        LuaAPIFunction("unlock", "unlock(tool)", "adds a tool to the toolbar, as a trigger's `unlock` action") { host, args in
            let tool = try known(args, 0, "unlock", "tool", LevelDefinition.toolNames) { $0 }
            try host.attachedCity().runLevelAction(.unlock(tool))
            return []
        },
        LuaAPIFunction("event", "event(kind, days [, { policy = name, value = number }])",
                       "starts a level event (`heatwave`, `drought`, `fuel_price_spike`, `coal_shortage`, `policy_change`) for whole days, as a trigger's `event` action") { host, args in
            let kind = try known(args, 0, "event", "event", LevelEventKind.allCases.map(\.rawValue)) { LevelEventKind(rawValue: $0) }
            let days = try integer(args, 1, "event", 1...3650)
            var policy: String?, value: Double?
            if args.count > 2, let options = args[2].tableEntries {
                for entry in options {
                    switch entry.key.stringValue {
                    case "policy":
                        policy = try known([entry.value], 0, "event", "policy", PolicyLever.all.map(\.name)) { PolicyLever.named($0) }.name
                    case "value": value = try number([entry.value], 0, "event")
                    default: throw APIError("event: unknown option '\(entry.key)'; the options are policy and value")
                    }
                }
            }
            if kind == .policyChange, policy == nil || value == nil {
                throw APIError("event: a policy_change needs { policy = name, value = number }")
            }
            if let policy, let value, let lever = PolicyLever.named(policy), !lever.range.contains(value) {
                throw APIError("event: \(policy) must be from \(lever.range.lowerBound) to \(lever.range.upperBound) \(lever.unit), not \(value)")
            }
            try host.attachedCity().runLevelAction(.event(kind, days: days, policy: policy, value: value))
            return []
        },
        LuaAPIFunction("add_objective", "add_objective{ id, metric, at_most | at_least, by, title_en, title_zh, required }",
                       "a new objective, as an `[[objectives]]` table") { host, args in
            try host.addObjective(args)
            return []
        },
        LuaAPIFunction("win", "win()", "decides the level: won") { host, _ in try host.attachedCity().decide(.won); return [] },
        LuaAPIFunction("lose", "lose()", "decides the level: lost") { host, _ in try host.attachedCity().decide(.lost); return [] },
    ]

    /// docs/lua-api.md, from the tables above (a test compares the file with it).
    public static func apiReference() -> String {
        var lines = [
            "# Lua API reference",
            "",
            "Generated from `Sources/Modding/LuaAPI.swift` by `netzero lua-api`; a test keeps this file equal",
            "to it. How scripts run, their budgets and their determinism: [modding.md](modding.md).",
            "",
            "## Hooks",
            "",
            "Define any of these as global functions. After a tick they are called in this order.",
            "",
            "| hook | when, and its arguments |",
            "|---|---|",
        ]
        lines += hooks.map { "| `\($0.signature)` | \($0.summary) |" }
        lines += [
            "",
            "## Functions",
            "",
            "A wrong name (metric, structure, policy, tool, event) is an error that names it and the closest",
            "known name; a number is checked for range. `print(...)` goes to the game's message feed and",
            "to `netzero run --log FILE`, as `message` does. `state` is a table saved with the game.",
            "",
            "| function | what it does |",
            "|---|---|",
        ]
        lines += functions.map { "| `\($0.signature.replacingOccurrences(of: "|", with: "\\|"))` | \($0.summary) |" }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Reading arguments

    static let coordinates: ClosedRange<Int64> = -1_000_000...1_000_000

    static func number(_ args: [LuaValue], _ i: Int, _ name: String) throws -> Double {
        guard i < args.count, let value = args[i].doubleValue else { throw APIError("\(name): argument \(i + 1) must be a number") }
        guard value.isFinite else { throw APIError("\(name): argument \(i + 1) must be a finite number, not \(value)") }
        return value
    }

    /// A whole number in `range` (an integer, or a float with a whole value).
    static func integer(_ args: [LuaValue], _ i: Int, _ name: String, _ range: ClosedRange<Int64>) throws -> Int {
        _ = try number(args, i, name)
        guard let whole = args[i].intValue, range.contains(whole) else {
            throw APIError("\(name): argument \(i + 1) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(args[i])")
        }
        return Int(whole)
    }

    static func text(_ args: [LuaValue], _ i: Int, _ name: String) throws -> String {
        guard i < args.count, let value = args[i].stringValue else { throw APIError("\(name): argument \(i + 1) must be a string") }
        return value
    }

    /// A name the game knows, or an error naming it and the closest known one.
    static func known<T>(_ args: [LuaValue], _ i: Int, _ function: String, _ what: String, _ names: [String],
                         _ lookup: (String) -> T?) throws -> T {
        let name = try text(args, i, function)
        guard names.contains(name), let value = lookup(name) else {
            throw APIError("\(function): unknown \(what) '\(name)'" + suggestion(name, names))
        }
        return value
    }

    func attachedCity() throws -> City {
        guard let city else { throw APIError("the script is not attached to a city") }
        return city
    }

    func post(_ args: [LuaValue], _ name: String, kind: LevelMessage.Kind) throws {
        drainPrinted()  // what the script printed before this call comes before it
        let en = Self.bounded(try Self.text(args, 0, name))
        let zh = args.count > 1 ? args[1].stringValue.map(Self.bounded) ?? en : en
        log.append("\(city?.view.clock.date.description ?? "-")\t\(name)\t\(en)")
        try attachedCity().post(Names(en: en, zh: zh), kind: kind)
    }

    func addObjective(_ args: [LuaValue]) throws {
        guard let table = args.first?.tableEntries else { throw APIError("add_objective: give a table { id = …, metric = …, at_most = …, by = … }") }
        var fields: [String: LuaValue] = [:]
        for entry in table { if let key = entry.key.stringValue { fields[key] = entry.value } }
        let known = ["id", "metric", "at_most", "at_least", "by", "title_en", "title_zh", "required"]
        if let stranger = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError("add_objective: unknown field '\(stranger)'" + suggestion(stranger, known))
        }
        guard let id = fields["id"]?.stringValue else { throw APIError("add_objective: needs id (a string)") }
        guard let metricValue = fields["metric"] else { throw APIError("add_objective: needs metric") }
        let metric = try Self.known([metricValue], 0, "add_objective", "metric", Metric.allCases.map(\.rawValue)) { Metric(rawValue: $0) }
        guard let byValue = fields["by"] else { throw APIError("add_objective: needs by (a year)") }
        guard let by = byValue.intValue, (1900...2200).contains(by) else {
            throw APIError("add_objective: by must be a year from 1900 to 2200, not \(byValue)")
        }
        guard id.utf8.count <= 100 else { throw APIError("add_objective: the id is longer than 100 bytes") }
        let comparison: Comparison
        let target: Double
        if let most = fields["at_most"]?.doubleValue { (comparison, target) = (.atMost, most) }
        else if let least = fields["at_least"]?.doubleValue { (comparison, target) = (.atLeast, least) }
        else { throw APIError("add_objective: needs at_most or at_least") }
        guard target.isFinite, target.magnitude <= 1e15 else {
            throw APIError("add_objective: the target must be a finite number within ±1e15, not \(target)")
        }
        let objectives = try attachedCity().view.rules?.objectives.count ?? 0
        guard objectives < Self.maximumObjectives else {
            throw APIError("add_objective: a level may have at most \(Self.maximumObjectives) objectives")
        }
        let title = Names(en: Self.bounded(fields["title_en"]?.stringValue ?? id), zh: Self.bounded(fields["title_zh"]?.stringValue ?? id))
        try attachedCity().addObjective(Objective(id: id, title: title, metric: metric, comparison: comparison, target: target,
                                                  deadlineYear: Int(by), required: fields["required"]?.boolValue ?? true))
    }
}
