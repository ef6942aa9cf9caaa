// ObjectiveProjection.swift — where each objective is heading: its value projected to the end of
// its deadline year, if the city goes on as it is now.
//
// How each kind of metric is projected:
//   a total over the year (net emissions, net after transfers or with scope 3, blackout hours):
//       this year's total so far at this year's pace: so far ÷ the share of the year gone
//       (shown once a week of the year has passed; before that the year is too short to say);
//   a share or a ratio over the year (renewable share, grid factor): this year's value so far;
//   money and running totals (budget, cumulative emissions, trees planted, certificates):
//       the value now plus its change per day over the last 30 game days × the days left to the
//       deadline; for money, days on which the player built or demolished are left out, so a
//       one-off construction bill is not read as a trend (its cost is already in the value now);
//   a state (population, happiness, green coverage, carbon price, compliance, peak year): as now.
// A met or failed objective has its final value, not a projection.
import CitySim

/// Daily samples of each objective's value, taken as each game day closes (GameSession.advance).
public final class ObjectiveTrend {
    struct Sample {
        var tick: Int64
        var values: [Double]
        /// Player commands in the city's log when the sample was taken.
        var commands: Int
    }
    /// The last 31 samples: 30 days of change.
    static let window = 31
    var samples: [Sample] = []

    public init() {}

    func record(_ view: CityView) {
        guard let rules = view.rules, !rules.objectives.isEmpty else { return }
        let tick = view.clock.tick
        if let last = samples.last, last.tick == tick { return }
        let commands = view.commandLog.count
        samples.append(Sample(tick: tick, values: view.objectiveValues(), commands: commands))
        if samples.count > ObjectiveTrend.window { samples.removeFirst(samples.count - ObjectiveTrend.window) }
    }

    func reset() { samples = [] }

    /// Change per game hour of objective `index` over the samples, leaving out the days with
    /// player commands when `skipCommandDays`; nil with fewer than two usable days.
    func slopePerHour(_ index: Int, skipCommandDays: Bool) -> Double? {
        var change = 0.0, hours = 0.0
        for (a, b) in zip(samples, samples.dropFirst()) where index < a.values.count && index < b.values.count {
            if skipCommandDays && b.commands != a.commands { continue }
            change += b.values[index] - a.values[index]
            hours += Double(b.tick - a.tick)
        }
        return hours >= 24 ? change / hours : nil
    }
}

public enum ObjectiveProjection {
    public enum Kind: Equatable { case yearTotal, yearRatio, running, state }

    public static func kind(_ metric: Metric) -> Kind {
        switch metric {
        case .netEmissions, .netAfterTransfers, .netIncludingScope3, .blackoutHours: return .yearTotal
        case .renewableShare, .gridFactor: return .yearRatio
        case .budget, .cumulativeEmissions, .treesPlantedFromPoints, .certificatesRetired: return .running
        case .population, .happiness, .greenCoverage, .carbonPrice, .complianceRate, .peakYear: return .state
        }
    }

    /// Objective `index`'s value projected to the end of its deadline year; nil when it cannot be
    /// said yet (the first week of a year, or no trend yet for a running total).
    public static func projected(_ index: Int, session: GameSession) -> Double? {
        let view = session.view
        guard let rules = view.rules, rules.objectives.indices.contains(index) else { return nil }
        let objective = rules.objectives[index]
        let value = view.objectiveValues()[index]
        let clock = view.clock
        switch kind(objective.metric) {
        case .state, .yearRatio:
            return value
        case .yearTotal:
            // At 1 January 00:00 the value is last year's whole total (Rules.value); at the very
            // start there is no year yet to go by.
            if clock.isNewYear { return view.ledger.years.isEmpty ? nil : value }
            let gone = Double(clock.dayOfYear) + Double(clock.hour) / 24
            guard gone >= 7 else { return nil }
            return value / (gone / Double(clock.daysInYear))
        case .running:
            let metric = objective.metric
            guard let slope = session.objectiveTrend.slopePerHour(index, skipCommandDays: metric == .budget) else { return nil }
            // Days to the end of the deadline year: the rest of this one, then whole years.
            var days = clock.daysInYear - clock.dayOfYear
            if clock.year < objective.deadlineYear {
                for year in (clock.year + 1)...objective.deadlineYear {
                    days += (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 366 : 365
                }
            }
            let hoursLeft = max(0, Double(days * 24 - clock.hour))
            return value + slope * hoursLeft
        }
    }
}
