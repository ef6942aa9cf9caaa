// LevelScripting.swift — a level's Lua script, attached to a city (docs/modding.md).
//
// The script runs in a `LuaSandbox` (no files, no clock, a memory cap, an instruction budget per
// call). Hooks the script may define: on_start(), on_tick(tick), on_day(date), on_year(year),
// on_build(entity, structure, x, y), on_objective(id, status). The API it may call:
//   metric(name) → number              tile(x, y) → { terrain, structure, kind }
//   build(structure, x, y) → bool      demolish(x, y)
//   set_policy(name, value) → bool     set_catalog(path, value)
//   message(en, zh)                    add_objective{ id, metric, at_most | at_least, by, title_en, title_zh }
//   win()  lose()                      state: a table saved with the game
// Changes to the city go through commands marked as the script's, so replays (which hold only
// the player's commands) regenerate them. The first error stops the script: it is reported
// at the level file's line, posted to the message feed, and the game carries on without it.
import CitySim
import ECS
import Scripting

public final class LevelScripting: LevelScriptHost {
    public let sandbox: LuaSandbox
    public let script: LevelScript
    /// Problems, as FILE:LINE:COL: error: message.
    public private(set) var problems: [String] = []
    public private(set) var isStopped = false
    weak var city: City?

    /// Compiles and runs the script's top level (which defines its hooks) in a fresh sandbox.
    public init(script: LevelScript, seed: UInt64, memoryLimit: Int = 64 << 20,
                instructionBudget: Int = 10_000_000) throws(ScriptError) {
        self.script = script
        sandbox = try LuaSandbox(seed: seed, memoryLimit: memoryLimit, instructionBudget: instructionBudget)
        registerAPI()
        try sandbox.load(script.source, chunkName: script.file, lineOffset: script.firstLine)
    }

    /// Attaches a level's script to a city; nil when the level has none. A script that fails to
    /// load is reported in `problems` and not attached.
    public static func attach(_ level: LevelDefinition, to city: City) -> (host: LevelScripting?, problems: [String]) {
        guard let script = level.script else { return (nil, []) }
        do {
            let host = try LevelScripting(script: script, seed: city.view.level.seed)
            city.attach(script: host)
            return (host, [])
        } catch {
            return (nil, [error.description])
        }
    }

    /// Syntax and load problems of a script, without a city (for `netzero check`).
    public static func check(_ script: LevelScript) -> [LevelDiagnostic] {
        do {
            _ = try LevelScripting(script: script, seed: 1, instructionBudget: 1_000_000)
            return []
        } catch {
            return [LevelDiagnostic(file: script.file, line: error.line ?? script.firstLine, column: 1, severity: .error,
                                    message: "Lua: " + error.message)]
        }
    }

    public func didAttach(to city: City) { self.city = city }

    // MARK: - Hooks

    public func onStart(_ city: City) { call("on_start", []) }
    public func onTick(_ city: City) { call("on_tick", [.integer(city.view.clock.tick)]) }
    public func onDay(_ city: City) { call("on_day", [.string(city.view.clock.date.description)]) }
    public func onYear(_ city: City) { call("on_year", [.integer(Int64(city.view.clock.year))]) }
    public func onBuild(_ city: City, entity: Entity, structure: String, x: Int, y: Int) {
        call("on_build", [.integer(Int64(entity.index)), .string(structure), .integer(Int64(x)), .integer(Int64(y))])
    }
    public func onObjective(_ city: City, id: String, status: ObjectiveStatus) {
        call("on_objective", [.string(id), .string(status.rawValue)])
    }

    func call(_ hook: String, _ arguments: [LuaValue]) {
        guard !isStopped, sandbox.hasFunction(hook) else { return }
        do {
            _ = try sandbox.call(hook, arguments)
        } catch {
            stop(error)
        }
    }

    func stop(_ error: ScriptError) {
        isStopped = true
        let line = error.line.map(String.init) ?? String(script.firstLine)
        let report = "\(script.file):\(line):1: error: script stopped: \(error.message)"
        problems.append(report)
        city?.post(Names(en: "The level's script was stopped: \(error.message) (\(script.file):\(line))",
                         zh: "关卡脚本已停止：\(error.message)（\(script.file):\(line)）"))
    }

    // MARK: - Script state (saved with the game)

    public func saveState() -> String { sandbox.saveState() }
    public func restoreScriptState(_ text: String) throws { try sandbox.restoreState(text) }

    // MARK: - The API

    struct APIError: Error, CustomStringConvertible {
        let description: String
        init(_ text: String) { description = text }
    }

    /// Limits on what one script may ask of the city (docs/modding.md): commands it queues in
    /// one simulated hour, catalog changes in one hour, objectives in all, and the length of
    /// the texts it posts (kept by the city, outside the script's memory cap).
    public static let maximumCommandsPerTick = 1_000
    public static let maximumCatalogChangesPerTick = 10
    public static let maximumObjectives = 100
    public static let maximumMessageCharacters = 500
    /// Each set_catalog call re-reads the whole catalog: it costs as many instructions.
    static let catalogChangeCost = 100_000

    private var countedTick: Int64 = -1
    private var commandsThisTick = 0
    private var catalogChangesThisTick = 0

    /// Counts one more command (or catalog change) in this hour, or refuses it.
    private func countCommand(catalog: Bool = false) throws {
        let tick = city?.view.clock.tick ?? 0
        if tick != countedTick {
            countedTick = tick
            commandsThisTick = 0
            catalogChangesThisTick = 0
        }
        if catalog {
            catalogChangesThisTick += 1
            guard catalogChangesThisTick <= Self.maximumCatalogChangesPerTick else {
                throw APIError("set_catalog: at most \(Self.maximumCatalogChangesPerTick) catalog changes per simulated hour")
            }
        } else {
            commandsThisTick += 1
            guard commandsThisTick <= Self.maximumCommandsPerTick else {
                throw APIError("at most \(Self.maximumCommandsPerTick) build, demolish or policy commands per simulated hour")
            }
        }
    }

    /// A text for the city's feed or titles, cut to `maximumMessageCharacters`.
    static func bounded(_ text: String) -> String {
        guard text.count > maximumMessageCharacters else { return text }
        return String(text.prefix(maximumMessageCharacters - 1)) + "…"
    }

    func registerAPI() {
        func number(_ args: [LuaValue], _ i: Int, _ name: String) throws -> Double {
            guard i < args.count, let value = args[i].doubleValue else { throw APIError("\(name): argument \(i + 1) must be a number") }
            guard value.isFinite else { throw APIError("\(name): argument \(i + 1) must be a finite number, not \(value)") }
            return value
        }
        /// A whole number in `range` (an integer, or a float with a whole value).
        func integer(_ args: [LuaValue], _ i: Int, _ name: String, _ range: ClosedRange<Int64>) throws -> Int {
            let value = try number(args, i, name)
            guard let whole = args[i].intValue, range.contains(whole) else {
                throw APIError("\(name): argument \(i + 1) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \(args[i])")
            }
            _ = value
            return Int(whole)
        }
        let coordinates: ClosedRange<Int64> = -1_000_000...1_000_000
        func text(_ args: [LuaValue], _ i: Int, _ name: String) throws -> String {
            guard i < args.count, let value = args[i].stringValue else { throw APIError("\(name): argument \(i + 1) must be a string") }
            return value
        }
        func city() throws -> City {
            guard let city = self.city else { throw APIError("the script is not attached to a city") }
            return city
        }
        sandbox.register("metric") { args in
            let name = try text(args, 0, "metric")
            guard let metric = Metric(rawValue: name) else { throw APIError("metric: unknown metric '\(name)'") }
            return [.number(try city().metric(metric))]
        }
        sandbox.register("tile") { args in
            let x = try integer(args, 0, "tile", coordinates), y = try integer(args, 1, "tile", coordinates)
            let view = try city().view
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
        }
        sandbox.register("build") { args in
            let name = try text(args, 0, "build")
            guard let structure = Structure.named(name) else { throw APIError("build: unknown structure '\(name)'") }
            let x = try integer(args, 1, "build", coordinates), y = try integer(args, 2, "build", coordinates)
            try self.countCommand()
            try city().submit(.build(structure, x: x, y: y), from: .script)
            return [.bool(true)]
        }
        sandbox.register("demolish") { args in
            let x = try integer(args, 0, "demolish", coordinates), y = try integer(args, 1, "demolish", coordinates)
            try self.countCommand()
            try city().submit(.demolish(x: x, y: y), from: .script)
            return []
        }
        sandbox.register("set_policy") { args in
            let name = try text(args, 0, "set_policy"), value = try number(args, 1, "set_policy")
            try self.countCommand()
            return [.bool(try city().setPolicy(name, value))]
        }
        sandbox.register("set_catalog", cost: Self.catalogChangeCost) { args in
            let path = try text(args, 0, "set_catalog")
            let value = try number(args, 1, "set_catalog")
            try self.countCommand(catalog: true)
            do {
                try city().setCatalogValue(path, value, source: "level script \(self.script.file)")
            } catch let error as CatalogError {
                throw APIError("set_catalog: " + (error.errors.first?.message ?? "refused"))
            }
            return []
        }
        sandbox.register("message") { args in
            let en = Self.bounded(try text(args, 0, "message"))
            let zh = args.count > 1 ? args[1].stringValue.map(Self.bounded) ?? en : en
            try city().post(Names(en: en, zh: zh))
            return []
        }
        sandbox.register("add_objective") { args in
            guard let table = args.first?.tableEntries else { throw APIError("add_objective: give a table { id = …, metric = …, at_most = …, by = … }") }
            var fields: [String: LuaValue] = [:]
            for entry in table { if let key = entry.key.stringValue { fields[key] = entry.value } }
            guard let id = fields["id"]?.stringValue, let metricName = fields["metric"]?.stringValue,
                  let metric = Metric(rawValue: metricName), let byValue = fields["by"] else {
                throw APIError("add_objective: needs id, a known metric and by (a year)")
            }
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
            let objectives = try city().view.rules?.objectives.count ?? 0
            guard objectives < Self.maximumObjectives else {
                throw APIError("add_objective: a level may have at most \(Self.maximumObjectives) objectives")
            }
            let title = Names(en: Self.bounded(fields["title_en"]?.stringValue ?? id), zh: Self.bounded(fields["title_zh"]?.stringValue ?? id))
            try city().addObjective(Objective(id: id, title: title, metric: metric, comparison: comparison, target: target,
                                              deadlineYear: Int(by), required: fields["required"]?.boolValue ?? true))
            return []
        }
        sandbox.register("win") { _ in try city().decide(.won); return [] }
        sandbox.register("lose") { _ in try city().decide(.lost); return [] }
    }
}
