// NumberText.swift — numbers as the game and the report write them: the same digits on every
// machine (CitySim's `Fixed`, no locale-dependent printf), thousands grouped by commas, money in
// the units a reader counts in.
import CitySim

public enum NumberText {
    /// "-1234567.5" → "-1,234,567.5": commas between thousands of the whole part.
    public static func grouped(_ text: String) -> String {
        var sign = "", digits = Substring(text)
        if digits.hasPrefix("-") { sign = "-"; digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var whole = Array(parts[0])
        var out: [Character] = []
        while whole.count > 3 {
            out = [","] + whole.suffix(3) + out
            whole.removeLast(3)
        }
        out = whole + out
        return sign + String(out) + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// `value` rounded to `decimals` with grouped thousands: 1234567 → "1,234,567"; "—" when not finite.
    public static func grouped(_ value: Double, decimals: Int = 0) -> String {
        guard value.isFinite else { return "—" }
        return grouped(Fixed.format(value, decimals))
    }

    /// A whole count with grouped thousands: 1234567 → "1,234,567".
    public static func grouped(_ value: Int64) -> String { grouped(String(value)) }

    /// `value` with the decimals `step` needs and grouped thousands: "12,500", "0.25".
    public static func grouped(_ value: Double, step: Double) -> String {
        var decimals = 0
        var s = abs(step)
        while decimals < 3 && s > 0 && (s - s.rounded()).magnitude > 1e-9 * max(1, s) { s *= 10; decimals += 1 }
        return grouped(value, decimals: decimals)
    }

    /// At most `decimals` decimals, trailing zeros dropped: 12.50 → "12.5", 3.00 → "3".
    public static func trimmed(_ value: Double, decimals: Int = 2) -> String {
        var text = Fixed.format(value, decimals)
        while text.contains(".") && (text.hasSuffix("0") || text.hasSuffix(".")) { text.removeLast() }
        return text
    }

    /// Money in the units a reader counts in. Chinese counts in 万 (10⁴) and 亿 (10⁸), so 40,000,000
    /// yuan is "4,000万元", not "40.0 m"; English groups thousands, or says "m" and "bn" when compact.
    public static func money(_ yuan: Double, chinese: Bool, compact: Bool) -> String {
        guard yuan.isFinite else { return "—" }
        let sign = yuan < 0 ? "-" : "", a = abs(yuan)
        if chinese {
            if a >= 1e8 { return sign + Fixed.format(a / 1e8, 2) + "亿元" }
            if a >= 1e6 { return sign + grouped(a / 1e4, decimals: 0) + "万元" }
            if a >= 1e4 { return sign + Fixed.format(a / 1e4, 1) + "万元" }
            return sign + Fixed.format(a, 0) + "元"
        }
        if compact {
            if a >= 1e9 { return sign + Fixed.format(a / 1e9, 2) + " bn yuan" }
            if a >= 1e6 { return sign + Fixed.format(a / 1e6, 1) + " m yuan" }
        }
        return sign + grouped(a, decimals: 0) + " yuan"
    }
}
