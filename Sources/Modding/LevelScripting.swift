// LevelScripting.swift — a level's Lua script, attached to a city (docs/modding.md).
//
// The script runs in a `LuaSandbox` (no files, no clock, a memory cap, an instruction budget per
// call). Hooks the script may define: on_start(), on_tick(tick), on_day(date), on_year(year),
// on_build(entity, structure, x, y), on_objective(id, status). The API it may call is the table
// `LevelScripting.functions` (LuaAPI.swift), from which docs/lua-api.md is generated.
// Builds, demolitions and policies go through commands marked as the script's, so replays (which
// hold only the player's commands) regenerate them. The first error stops the script: it is
// reported at the level file's line, posted to the message feed, and the game carries on without it.
import CitySim
import ECS
import Scripting

public final class LevelScripting: LevelScriptHost {
    public let sandbox: LuaSandbox
    public let script: LevelScript
    /// Problems, as FILE:LINE:COL: error: message.
    public private(set) var problems: [String] = []
    public private(set) var isStopped = false
    /// What the script printed and posted, one line each: date, `print` or `message`, text
    /// (`netzero run --log FILE` writes it).
    public internal(set) var log: [String] = []
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

    /// Attaches a level's script to a city loaded from a save, with the state the script had when
    /// the game was saved (its `on_start` is not run again); nothing when the level has no script.
    public static func resume(_ level: LevelDefinition, city: City, state: String) throws {
        guard let script = level.script else { return }
        let host = try LevelScripting(script: script, seed: city.view.level.seed)
        try host.restoreScriptState(state)
        city.attach(script: host, started: true)
    }

    /// Syntax and load problems of a script, calls of undefined globals and unknown names given to
    /// the API, without a city (for `netzero check`).
    public static func check(_ script: LevelScript) -> [LevelDiagnostic] {
        do {
            _ = try LevelScripting(script: script, seed: 1, instructionBudget: 1_000_000)
            return LuaLint.check(script)
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
        defer { drainPrinted() }
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

    var countedTick: Int64 = -1
    private var commandsThisTick = 0
    private var catalogChangesThisTick = 0

    /// Counts one more command (or catalog change) in this hour, or refuses it.
    func countCommand(catalog: Bool = false) throws {
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
        for function in Self.functions {
            sandbox.register(function.name, cost: function.cost) { [unowned self] args in try function.run(self, args) }
        }
    }

    /// Lines the script printed (`print`), after a hook ran: to the city's feed and to the log.
    func drainPrinted() {
        let lines = sandbox.output
        guard !lines.isEmpty else { return }
        sandbox.output = []
        for line in lines {
            let text = Self.bounded(line)
            log.append("\(city?.view.clock.date.description ?? "-")\tprint\t\(text)")
            city?.post(Names(en: text, zh: text), kind: .script)
        }
    }
}
