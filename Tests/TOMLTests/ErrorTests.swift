// Every class of syntax and structure error, each with its exact line:col and
// the key part of its message, plus the FILE:LINE:COL: error: format.

import Testing
import TOML

struct ErrorCase: CustomTestStringConvertible, Sendable {
    var text: String
    var line: Int
    var column: Int
    var message: String
    init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        self.text = text
        self.line = line
        self.column = column
        self.message = message
    }
    var testDescription: String { String(reflecting: text) }
}

@Suite struct ErrorTests {
    @Test func descriptionFormat() throws {
        let error = try #require(parseError("a = 1\nsolar = 1\nsolar = 2"))
        #expect(error.description == "test.toml:3:1: error: duplicate key 'solar' (first defined at 2:1)")
        #expect(error.file == testFile)
        #expect(error.position == pos(3, 1))
        #expect(error.message == "duplicate key 'solar' (first defined at 2:1)")
        let own = TOMLError(file: "levels/1.toml", position: pos(7, 3), message: "unknown key 'solr'")
        #expect("\(own)" == "levels/1.toml:7:3: error: unknown key 'solr'")
    }

    static let syntaxErrors: [ErrorCase] = [
        // key / value structure
        ErrorCase("solar 5", 1, 7, "expected '=' after key 'solar', found '5'"),
        ErrorCase("\n\nsolar: 5", 3, 6, "expected '=' after key 'solar', found ':'"),
        ErrorCase("a = 1\n= 2", 2, 1, "missing key before '='"),
        ErrorCase("a =", 1, 4, "expected a value, found end of file"),
        ErrorCase("a = # nothing", 1, 5, "expected a value, found a comment"),
        ErrorCase("a = 1 b = 2", 1, 7, "unexpected 'b' after the value"),
        ErrorCase("a = 1,000", 1, 6, "unexpected ',' after the value"),
        ErrorCase("a = hello", 1, 5, "invalid value 'hello': text must be in quotes"),
        ErrorCase("a = True", 1, 5, "booleans are written in lowercase"),
        ErrorCase("a = truex", 1, 5, "invalid value 'truex'"),
        ErrorCase("a.\n= 1", 1, 3, "expected a key after '.', found end of line"),
        ErrorCase("a = 1\n  ! = 2", 2, 3, "unexpected '!'; expected a key"),
        ErrorCase("\"\"\"k\"\"\" = 1", 1, 1, "a multi-line string cannot be used as a key"),
        ErrorCase("a = 1\r\nb = 2\r", 2, 6, "a carriage return must be followed by a line feed"),
        // strings
        ErrorCase("a = 1\nb = \"abc", 2, 5, "unterminated string"),
        ErrorCase("b = \"abc\nc = 1", 1, 5, "unterminated string"),
        ErrorCase("b = 'abc", 1, 5, "unterminated string"),
        ErrorCase("b = \"a\\qb\"", 1, 7, "invalid escape \\q"),
        ErrorCase("b = \"\\u12G4\"", 1, 6, "invalid escape \\u"),
        ErrorCase("b = \"\\uD800\"", 1, 6, "not a valid Unicode character"),
        ErrorCase("b = \"\\U00110000\"", 1, 6, "not a valid Unicode character"),
        ErrorCase("b = \"a\\ b\"", 1, 7, "invalid escape"),
        ErrorCase("b = \"a\u{01}b\"", 1, 7, "control character U+0001 is not allowed in a string"),
        ErrorCase("b = 'a\u{7F}'", 1, 7, "control character U+007F is not allowed in a string"),
        ErrorCase("x = 1\nb = \"\"\"\nabc\n", 2, 5, "unterminated multi-line string"),
        ErrorCase("b = '''abc''", 1, 5, "unterminated multi-line string"),
        ErrorCase("b = \"\"\"abc\"\"\"\"\"\"", 1, 11, "too many quotes"),
        ErrorCase("# bell \u{07}", 1, 8, "control character U+0007 is not allowed in a comment"),
        // numbers
        ErrorCase("n = 01", 1, 5, "leading zeros are not allowed"),
        ErrorCase("n = 1__0", 1, 5, "an underscore must be between two digits"),
        ErrorCase("n = _1", 1, 5, "invalid value '_1'"),
        ErrorCase("n = 1_", 1, 5, "an underscore must be between two digits"),
        ErrorCase("n = 1.", 1, 5, "a decimal point must have digits on both sides"),
        ErrorCase("n = .5", 1, 5, "a decimal point must have digits on both sides"),
        ErrorCase("n = 1e", 1, 5, "the exponent needs digits"),
        ErrorCase("n = 0x", 1, 5, "digits are missing"),
        ErrorCase("n = 0b102", 1, 5, "'2' is not a binary digit"),
        ErrorCase("n = 0o8", 1, 5, "'8' is not an octal digit"),
        ErrorCase("n = -0x10", 1, 5, "not allowed on hexadecimal, octal or binary numbers"),
        ErrorCase("n = 12abc", 1, 5, "invalid number '12abc'"),
        ErrorCase("n = +", 1, 5, "a sign must be followed by digits"),
        // date-times
        ErrorCase("d = 1979-13-01", 1, 5, "the month must be 01 to 12"),
        ErrorCase("d = 2023-02-29", 1, 5, "day 29 does not exist in that month"),
        ErrorCase("d = 1979-05-27T25:00:00", 1, 5, "the hour must be 00 to 23"),
        ErrorCase("d = 07:32", 1, 5, "expected ':' and seconds after the minute"),
        ErrorCase("d = 1979-05-27T07:32:00+0800", 1, 5, "expected ':' in the time zone offset"),
        ErrorCase("d = 1979-05-27x", 1, 5, "invalid date-time '1979-05-27x'"),
        ErrorCase("d = 1979-5-27", 1, 5, "expected 2 digits for the month"),
        // arrays and inline tables
        ErrorCase("a = [1, 2", 1, 10, "unterminated array: missing ']' for the '[' at 1:5"),
        ErrorCase("a = [1 2]", 1, 8, "expected ',' or ']' after an array element, found '2'"),
        ErrorCase("a = [1,,2]", 1, 8, "expected a value between the commas"),
        ErrorCase("a = [,]", 1, 6, "expected a value before ','"),
        ErrorCase("t = {x = 1,}", 1, 12, "a trailing comma is not allowed at the end of an inline table"),
        ErrorCase("t = {x = 1\n}", 1, 11, "an inline table { ... } must be on a single line"),
        ErrorCase("t = {\nx = 1}", 1, 6, "an inline table { ... } must be on a single line"),
        ErrorCase("t = {x = 1 y = 2}", 1, 12, "expected ',' or '}' in the inline table, found 'y'"),
        ErrorCase("t = {x = 1 # c\n}", 1, 12, "comments are not allowed inside an inline table"),
        ErrorCase("t = {x = 1", 1, 11, "unterminated inline table: missing '}' for the '{' at 1:5"),
        ErrorCase("t = {, x = 1}", 1, 6, "expected a key in the inline table, found ','"),
        // headers
        ErrorCase("[]", 1, 2, "empty table header"),
        ErrorCase("[a", 1, 3, "expected ']' to close the table header, found end of file"),
        ErrorCase("[[a]\nx = 1", 1, 5, "expected ']]' to close the array-of-tables header"),
        ErrorCase("[a] x = 1", 1, 5, "unexpected 'x' after the table header"),
    ]

    @Test(arguments: syntaxErrors)
    func syntaxError(_ c: ErrorCase) throws {
        let error = try #require(parseError(c.text), "expected an error")
        #expect(error.position == pos(c.line, c.column), "\(error)")
        #expect(error.message.contains(c.message), "\(error)")
        #expect(error.file == testFile)
    }

    static let structureErrors: [ErrorCase] = [
        ErrorCase("solar = 1\nwind = 2\nsolar = 3", 3, 1, "duplicate key 'solar' (first defined at 1:1)"),
        ErrorCase("[t]\na.b = 1\n  a.b = 2", 3, 5, "duplicate key 'a.b' (first defined at 2:3)"),
        ErrorCase("t = {x = 1, x = 2}", 1, 13, "duplicate key 'x' (first defined at 1:6)"),
        ErrorCase("\"a\" = 1\n'a' = 2", 2, 1, "duplicate key 'a' (first defined at 1:1)"),
        ErrorCase("[a.b]\n[a]\nb = 1", 3, 1, "duplicate key 'b' (first defined at 1:1)"),
        ErrorCase("[a]\nx = 1\n\n[a]", 4, 1, "duplicate table [a] (first defined at 1:1)"),
        ErrorCase("[a.b]\n[a.b]", 2, 1, "duplicate table [a.b] (first defined at 1:1)"),
        ErrorCase("[a]\nb.c = 1\n[a.b]", 3, 1, "duplicate table [a.b]: 'a.b' was already defined by dotted keys (at 2:1)"),
        ErrorCase("a.b = 1\n[a]", 2, 1, "'a' was already defined by dotted keys"),
        ErrorCase("a = 1\na.b = 2", 2, 1, "cannot use 'a' as a table: it is already an integer (defined at 1:1)"),
        ErrorCase("a = \"s\"\n[a.b]", 2, 1, "cannot define table [a.b]: 'a' is already a string (defined at 1:1)"),
        ErrorCase("a = 1\n[a]", 2, 1, "cannot define table [a]: 'a' is already an integer (defined at 1:1)"),
        ErrorCase("[a.b.c]\nz = 9\n[a]\nb.c.t = 1", 4, 3, "table 'b.c' is already defined by a [table] header (at 1:1)"),
        // inline tables are closed
        ErrorCase("a = {x = 1}\na.y = 2", 2, 1, "'a' is an inline table (defined at 1:1), and inline tables cannot be extended"),
        ErrorCase("a = {x = 1}\n[a.b]", 2, 1, "'a' is an inline table (defined at 1:1), and inline tables cannot be extended"),
        ErrorCase("a = {x = 1}\n[a]", 2, 1, "'a' is already an inline table"),
        ErrorCase("a = {b = {c = 1}, b.d = 2}", 1, 19, "'b' is an inline table (defined at 1:6)"),
        // arrays of tables
        ErrorCase("a = []\n[[a]]", 2, 1, "cannot append to 'a' with [[a]]: it is a static array (defined at 1:1)"),
        ErrorCase("a = [{x = 1}]\n[a.b]", 2, 1, "cannot define table [a.b]: 'a' is already an array"),
        ErrorCase("[[a]]\n[a]", 2, 1, "cannot define table [a]: 'a' is an array of tables (defined at 1:1)"),
        ErrorCase("[a]\n[[a]]", 2, 1, "cannot define array of tables [[a]]: 'a' is already a table (defined at 1:1)"),
        ErrorCase("[[a]]\nb.c = 1\n[[a]]\nb = 2\n[a.b]", 5, 1, "'a.b' is already an integer (defined at 4:1)"),
        ErrorCase("[[a]]\n[a.b]\n[a.b]", 3, 1, "duplicate table [a.b] (first defined at 2:1)"),
        ErrorCase("[[a]]\nx = 1\n[[a]]\nx = 1\nx = 2", 5, 1, "duplicate key 'x' (first defined at 4:1)"),
        ErrorCase("a = 1\n[[a]]", 2, 1, "'a' is already an integer"),
    ]

    @Test(arguments: structureErrors)
    func structureError(_ c: ErrorCase) throws {
        let error = try #require(parseError(c.text), "expected an error")
        #expect(error.position == pos(c.line, c.column), "\(error)")
        #expect(error.message.contains(c.message), "\(error)")
    }

    @Test func validStructuresThatLookSimilar() throws {
        // Each is the nearest *valid* relative of an error case above.
        let t = try parse("""
        [a.b]
        x = 1
        [a]
        y = 2
        [fruit]
        apple.color = "red"
        [fruit.apple.texture]
        smooth = true
        [[arr]]
        [arr.sub]
        [[arr]]
        [arr.sub]
        """)
        #expect(t.table("a")?.keys == ["b", "y"])
        #expect(t.array("arr")?.count == 2)
        #expect(t.table("fruit")?.table("apple")?.table("texture")?.bool("smooth") == true)
        // A table mentioned only inside a longer header may still be defined by dotted keys once.
        let u = try parse("[a.b.c]\nz = 9\n[a]\nb.x = 1")
        #expect(u.table("a")?.table("b")?.keys == ["c", "x"])
        #expect(parseError("[a.b.c]\n[a]\nb.x = 1\n[a.b]") != nil)
    }

    @Test func longKeysAreShortenedInMessages() throws {
        let key = String(repeating: "k", count: 5000)
        let error = try #require(parseError("\(key) 1"))
        #expect(error.message.count < 200)
        #expect(error.message.contains("kkk..."))
        #expect(error.position == pos(1, 5002))
    }
}
