// Clock.swift — simulated time: one tick is one game hour.
//
// The calendar is Gregorian and starts on 1 January of the level's start year (2020 unless the
// level says otherwise). Hours, days, months and years are derived from the tick count, so the
// clock itself is one integer and can never drift.

public struct SimDate: Equatable, Sendable, CustomStringConvertible, Codable {
    public var year: Int
    public var month: Int   // 1...12
    public var day: Int     // 1...31
    public var hour: Int    // 0...23

    public init(year: Int, month: Int, day: Int, hour: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
    }

    public var description: String {
        "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day) \(hour < 10 ? "0" : "")\(hour):00"
    }
}

public enum Season: Int, Sendable, CaseIterable {
    case winter, spring, summer, autumn
    public static func of(month: Int) -> Season {
        switch month {
        case 12, 1, 2: return .winter
        case 3, 4, 5: return .spring
        case 6, 7, 8: return .summer
        default: return .autumn
        }
    }
}

public struct Clock: Equatable, Sendable, SavedResource {
    public let startYear: Int
    /// Hours elapsed since 00:00 on 1 January of `startYear`.
    public private(set) var tick: Int64 = 0
    /// Cached calendar fields of `tick`, refreshed on every advance.
    public private(set) var date: SimDate
    /// Days elapsed since the start (the tick's day index).
    public private(set) var dayIndex: Int64 = 0
    /// 0-based day of the current year.
    public private(set) var dayOfYear = 0

    public init(startYear: Int = 2020) {
        self.startYear = startYear
        date = SimDate(year: startYear, month: 1, day: 1, hour: 0)
    }

    public init(startYear: Int, tick: Int64) {
        self.init(startYear: startYear)
        set(tick: tick)
    }

    public var hour: Int { date.hour }
    public var month: Int { date.month }
    public var year: Int { date.year }
    public var season: Season { .of(month: date.month) }
    public var isNewDay: Bool { date.hour == 0 }
    public var isNewYear: Bool { date.hour == 0 && dayOfYear == 0 }
    public var isLastHourOfYear: Bool { date.hour == 23 && dayOfYear == daysInYear - 1 }
    public var daysInYear: Int { Clock.isLeap(date.year) ? 366 : 365 }

    public mutating func advance() { set(tick: tick + 1) }

    mutating func set(tick newTick: Int64) {
        tick = newTick
        dayIndex = newTick / 24
        let days = Clock.daysFromCivil(year: startYear, month: 1, day: 1) + dayIndex
        let (y, m, d) = Clock.civil(fromDays: days)
        date = SimDate(year: y, month: m, day: d, hour: Int(newTick % 24))
        dayOfYear = Int(days - Clock.daysFromCivil(year: y, month: 1, day: 1))
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// Days since 1970-01-01 (H. Hinnant's civil-from-days algorithms, public domain).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }
}
