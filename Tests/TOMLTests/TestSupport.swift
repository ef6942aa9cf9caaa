// Shared helpers for the TOML tests: parsing with a fixed file name and
// capturing the error a document produces.

import Testing
import TOML

let testFile = "test.toml"

func parse(_ text: String) throws -> TOMLTable {
    try TOML.parse(text, file: testFile)
}

/// The error `text` produces, or nil if it parses.
func parseError(_ text: String) -> TOMLError? {
    do {
        _ = try TOML.parse(text, file: testFile)
        return nil
    } catch {
        return error
    }
}

/// The error `bytes` produce through the bytes API, or nil if they parse.
func parseError(bytes: [UInt8]) -> TOMLError? {
    do {
        _ = try TOML.parse(bytes: bytes, file: testFile)
        return nil
    } catch {
        return error
    }
}

func pos(_ line: Int, _ column: Int) -> SourcePosition {
    SourcePosition(line: line, column: column)
}
