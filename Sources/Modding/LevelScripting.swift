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

    func registerAPI() {
        func number(_ args: [LuaValue], _ i: Int, _ name: String) throws -> Double {
            guard i < args.count, let value = args[i].doubleValue, value.isFinite else { throw APIError("\(name): argument \(i + 1) must be a number") }
            return value
        }
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
            let x = Int(try number(args, 0, "tile")), y = Int(try number(args, 1, "tile"))
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
            try city().submit(.build(structure, x: Int(try number(args, 1, "build")), y: Int(try number(args, 2, "build"))), from: .script)
            return [.bool(true)]
        }
        sandbox.register("demolish") { args in
            try city().submit(.demolish(x: Int(try number(args, 0, "demolish")), y: Int(try number(args, 1, "demolish"))), from: .script)
            return []
        }
        sandbox.register("set_policy") { args in
            [.bool(try city().setPolicy(try text(args, 0, "set_policy"), try number(args, 1, "set_policy")))]
        }
        sandbox.register("set_catalog") { args in
            let path = try text(args, 0, "set_catalog")
            do {
                try city().setCatalogValue(path, try number(args, 1, "set_catalog"), source: "level script \(self.script.file)")
            } catch let error as CatalogError {
                throw APIError("set_catalog: " + (error.errors.first?.message ?? "refused"))
            }
            return []
        }
        sandbox.register("message") { args in
            let en = try text(args, 0, "message")
            let zh = args.count > 1 ? (args[1].stringValue ?? en) : en
            try city().post(Names(en: en, zh: zh))
            return []
        }
        sandbox.register("add_objective") { args in
            guard let table = args.first?.tableEntries else { throw APIError("add_objective: give a table { id = …, metric = …, at_most = …, by = … }") }
            var fields: [String: LuaValue] = [:]
            for entry in table { if let key = entry.key.stringValue { fields[key] = entry.value } }
            guard let id = fields["id"]?.stringValue, let metricName = fields["metric"]?.stringValue,
                  let metric = Metric(rawValue: metricName), let by = fields["by"]?.doubleValue else {
                throw APIError("add_objective: needs id, a known metric and by (a year)")
            }
            let comparison: Comparison
            let target: Double
            if let most = fields["at_most"]?.doubleValue { (comparison, target) = (.atMost, most) }
            else if let least = fields["at_least"]?.doubleValue { (comparison, target) = (.atLeast, least) }
            else { throw APIError("add_objective: needs at_most or at_least") }
            let title = Names(en: fields["title_en"]?.stringValue ?? id, zh: fields["title_zh"]?.stringValue ?? id)
            try city().addObjective(Objective(id: id, title: title, metric: metric, comparison: comparison, target: target,
                                              deadlineYear: Int(by), required: fields["required"]?.boolValue ?? true))
            return []
        }
        sandbox.register("win") { _ in try city().decide(.won); return [] }
        sandbox.register("lose") { _ in try city().decide(.lost); return [] }
    }
}
