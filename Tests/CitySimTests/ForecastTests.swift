// ForecastTests.swift — the forecast on representative days (CitySim/Forecast.swift): its plan of
// days, its agreement with the full hourly run, and that it never touches the city it copies.
@testable import CitySim
import ECS
import Foundation
import Testing

/// The sandbox run hour by hour for ten years, once for every test that needs it (each year's
/// closed ledger period).
let sandboxTenYears: [LedgerPeriod] = {
    let city = City(level: sandboxLevel(), catalog: testCatalog)
    let start = city.view.clock.year
    while city.view.clock.year < start + 10 { city.step() }
    return city.view.ledger.years
}()

@Suite struct ForecastTests {
    @Test func theSegmentsAreTheMonthsOneAfterAnother() {
        let segments = Forecast.segments(from: 0, startYear: 2020, toYear: 2023)
        #expect(segments.count == 48)
        #expect(segments.reduce(Int64(0)) { $0 + $1.days } == 366 + 365 * 3)
        var cursor: Int64 = 0
        for (i, segment) in segments.enumerated() {
            #expect(segment.first == cursor && segment.month == i % 12 + 1)
            cursor = segment.end
        }
        #expect(segments[1].days == 29 && segments[13].days == 28)
        // A start mid-month: the rest of that month, then whole months.
        let late = Forecast.segments(from: 40, startYear: 2020, toYear: 2020)
        #expect(late.count == 11 && late[0].first == 40 && late[0].end == 60)
    }

    @Test func theChosenDaysAreTheOnesWhoseWeatherIsTheMonths() {
        // Day i blows at i (a made-up wind), but day 15 at 14.6: the month's mean is 14.49, and day 15 is closest.
        let segment = ForecastSegment(first: 100, end: 130, month: 6)
        let weather = (0..<30).map { DayWeather(wind: $0 == 15 ? 14.6 : Double($0), solar: 0, heating: 0, cooling: 0) }
        #expect(Forecast.chooseDays(segment, weather: weather, daysPerMonth: 1, startsYear: false, endsYear: false) == [115..<116])
        #expect(Forecast.chooseDays(segment, weather: weather, daysPerMonth: 2, startsYear: false, endsYear: false) == [114..<116])
        // With 1 January required (day 0, no wind), the other day makes up for it: day 29.
        #expect(Forecast.chooseDays(segment, weather: weather, daysPerMonth: 1, startsYear: true, endsYear: false) == [100..<101, 129..<130])
        // With 31 December required (day 29), day 0 balances it, and the two are simulated in order.
        #expect(Forecast.chooseDays(segment, weather: weather, daysPerMonth: 1, startsYear: false, endsYear: true) == [100..<101, 129..<130])
        // A short segment is simulated whole.
        let short = ForecastSegment(first: 100, end: 102, month: 6)
        #expect(Forecast.chooseDays(short, weather: Array(weather.prefix(2)), daysPerMonth: 2, startsYear: false, endsYear: false) == [100..<102])
    }

    @Test func aForecastThatSimulatesEveryDayIsTheFullRun() throws {
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        let start = city.view.clock.year
        let result = try ForecastSeed(of: city).run(ForecastOptions(toYear: start, daysPerMonth: 31))
        let full = try #require(sandboxTenYears.first)
        let year = try #require(result.years.first)
        #expect(result.years.count == 1 && result.isComplete)
        #expect(year.year == start && year.simulatedDays == year.days)
        #expect(year.netT == full.net && year.grossT == full.net + full.removals && year.gridFactor == full.gridFactor)
    }

    @Test func theForecastIsWithinThreePercentOfTheFullRunEveryYear() throws {
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        let start = city.view.clock.year
        let result = try ForecastSeed(of: city).run(ForecastOptions(toYear: start + 9))
        #expect(result.years.map(\.year) == Array(start...(start + 9)))
        #expect(sandboxTenYears.count == 10)
        var worstGross = 0.0, worstNet = 0.0, worstYears = (0, 0)
        for (projected, full) in zip(result.years, sandboxTenYears) {
            #expect(projected.year == full.start.year)
            let gross = full.net + full.removals
            let grossError = abs(projected.grossT - gross) / abs(gross)
            let netError = abs(projected.netT - full.net) / abs(full.net)
            if grossError > worstGross { worstGross = grossError; worstYears.0 = projected.year }
            if netError > worstNet { worstNet = netError; worstYears.1 = projected.year }
            print("forecast \(projected.year): gross \(projected.grossT) vs \(gross) (\(grossError * 100)%), "
                  + "net \(projected.netT) vs \(full.net) (\(netError * 100)%), grid \(projected.gridFactor) vs \(full.gridFactor), "
                  + "\(projected.simulatedDays) of \(projected.days) days simulated")
            #expect(grossError <= 0.03, "gross \(projected.year): \(projected.grossT) against \(gross)")
            #expect(netError <= 0.03, "net \(projected.year): \(projected.netT) against \(full.net)")
        }
        print("forecast: worst gross error \(worstGross * 100)% (\(worstYears.0)), worst net error \(worstNet * 100)% (\(worstYears.1)); "
              + "\(result.simulatedHours) hours simulated for \(sandboxTenYears.count * 8766) lived")
        // The forecast is not the full run in disguise: it simulated a small share of the hours.
        #expect(result.simulatedHours < 10 * 8760 / 10)
    }

    @Test func theForecastNeverTouchesTheCityItCopies() throws {
        // Two identical cities, mid-year and mid-day, with a player's command each; a forecast
        // is taken of one of them, then both run on.
        func town() -> City {
            let city = City(level: sandboxLevel(), catalog: testCatalog)
            city.run(hours: 24 * 40 + 7)
            city.submit(.build(.zone(.forest), x: 1, y: 1))
            city.run(hours: 30)
            return city
        }
        let forecasted = town(), untouched = town()
        let seed = try ForecastSeed(of: forecasted)
        let result = try seed.run(ForecastOptions(toYear: forecasted.view.clock.year + 1))
        #expect(result.years.count == 2 && result.isComplete)
        #expect(forecasted.world.contentHash() == untouched.world.contentHash())
        #expect(try forecasted.saveData() == untouched.saveData())
        forecasted.run(hours: 24 * 400)
        untouched.run(hours: 24 * 400)
        #expect(forecasted.world.contentHash() == untouched.world.contentHash())
        #expect(ReplayLog(city: forecasted).text == ReplayLog(city: untouched).text)
        #expect(try forecasted.saveData() == untouched.saveData())
        // The copy is a whole city: the same bytes as the one it was taken of.
        #expect(try seed.makeCity().saveData() == seed.saveBytes)
    }

    @Test func aForecastIsDeterministic() throws {
        let city = City(level: sandboxLevel(), catalog: testCatalog)
        city.run(hours: 24 * 100 + 5)
        let seed = try ForecastSeed(of: city)
        let first = try seed.run(ForecastOptions(toYear: 2022))
        let second = try seed.run(ForecastOptions(toYear: 2022))
        #expect(first == second)
        #expect(first.start == SimDate(year: 2020, month: 4, day: 10, hour: 5))
        // The lived part of 2020 counts as simulated, the rest is sampled.
        #expect(first.years[0].simulatedDays > 100 && first.years[0].simulatedDays < 200)
        // Stopped after the first year, it says so.
        let stopped = try seed.run(ForecastOptions(toYear: 2022)) { _ in false }
        #expect(stopped.years.count == 1 && !stopped.isComplete)
    }

    @Test func peakAndNetZeroYearsFollowTheMilestones() {
        let rising = ForecastResult.milestones([(2020, 10), (2021, 12), (2022, 13)])
        #expect(rising.peak == nil && rising.netZero == nil)
        let peaked = ForecastResult.milestones([(2020, 10), (2021, 12), (2022, 10), (2023, 14), (2024, 5), (2025, -1), (2026, 0)])
        #expect(peaked.peak == 2023 && peaked.netZero == 2025)
        // A plateau whose dips stay within the weather's spread has no peak.
        let plateau = ForecastResult.milestones([(2020, 100), (2021, 104), (2022, 97), (2023, 103), (2024, 98)])
        #expect(plateau.peak == nil && plateau.netZero == nil)
        let zeroFirst = ForecastResult.milestones([(2020, 0)])
        #expect(zeroFirst.peak == nil && zeroFirst.netZero == 2020)
    }
}
