// Shared helpers for the Scripting tests: small sandboxes (tight budgets and caps keep the
// suite fast) and capturing the ScriptError an operation throws.

import Testing
import Scripting

/// A sandbox with a small budget and cap unless told otherwise.
func sandbox(seed: UInt64 = 1, memory: Int = 16 << 20, budget: Int = 200_000) throws -> LuaSandbox {
    try LuaSandbox(seed: seed, memoryLimit: memory, instructionBudget: budget)
}

/// The error `body` throws, or nil.
func scriptError(_ body: () throws(ScriptError) -> Void) -> ScriptError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// Runs `source` as chunk "test.lua" and returns the error, or nil.
func loadError(_ box: LuaSandbox, _ source: String, lineOffset: Int = 1) -> ScriptError? {
    scriptError { () throws(ScriptError) in try box.load(source, chunkName: "test.lua", lineOffset: lineOffset) }
}

/// Evaluates `expression` in `box` and returns its first value.
func evaluate(_ box: LuaSandbox, _ expression: String) throws -> LuaValue {
    try box.load("function __eval() return \(expression) end", chunkName: "eval")
    return try box.call("__eval", []).first ?? .nil
}
