// Weather.swift — seeded, deterministic weather: temperature, cloud, wind, sun, droughts.
//
// Each level has its own stream (seeded from the level seed), advanced once per tick, so the
// same level and seed always give the same weather. Monthly means come from the catalog's
// climate normals; day-to-day variation is autoregressive noise around them:
// - cloud: a daily AR(1) anomaly around (1 − sunshine fraction of the month);
// - wind: an hourly AR(1) log-anomaly around the month's mean hub-height speed;
// - temperature: month mean (interpolated) + daily AR(1) anomaly + a diurnal cosine;
// - sun: the clear-sky irradiance at the solar elevation of the catalog's latitude (Meinel &
//   Meinel 1976: direct 1.353 × 0.7^(AM^0.678) kW/m², global ≈ 1.1 × direct, air mass AM after
//   Kasten & Young 1989), relative to the 1 kW/m² PV is rated at, reduced by cloud (Kasten &
//   Czeplak 1980: clear fraction 1 − 0.75·cloud^3.4) and by the PV performance ratio;
// - droughts: at most one per summer, starting on a seeded day, for the catalog's length.
import Foundation

public struct Weather: Sendable, Equatable, SavedResource {
    public var temperature = 10.0        // °C
    public var cloud = 0.4               // 0…1
    public var windSpeed = 5.0           // m/s at hub height
    /// Output of 1 kW of PV this hour, kW.
    public var solarFactor = 0.0
    /// Output of 1 kW of wind turbine this hour, kW.
    public var windFactor = 0.0
    public var inDrought = false
    public var heatwave = false

    var random: SeededRandom
    var cloudAnomaly = 0.0
    var windAnomaly = 0.0
    var temperatureAnomaly = 0.0
    var droughtStartDay = -1
    var droughtYear = Int.min

    public init(seed: UInt64) {
        random = SeededRandom(seed: seed ^ 0x5745_4154_4845_5221)
    }

    /// Extra °C added by an event (a heatwave), set by levels; 0 normally.
    public var eventWarming = 0.0
    /// Fixed conditions that replace the generated ones (set by level events and by tests);
    /// the random stream still advances, so lifting the override resumes the same sequence.
    public var override: WeatherOverride?

    public mutating func advance(clock: Clock, spec: WeatherSpec, disturbance: DisturbanceSpec) {
        let month = clock.month - 1
        if clock.isNewDay {
            cloudAnomaly = 0.6 * cloudAnomaly + 0.8 * random.normal()
            temperatureAnomaly = 0.7 * temperatureAnomaly + 0.714 * spec.anomalySD * random.normal()
            if clock.year != droughtYear {
                droughtYear = clock.year
                // Draw whether this summer has a drought and when it starts (June–August).
                droughtStartDay = random.unit() < disturbance.droughtChance ? 152 + Int(random.unit() * 62) : -1
            }
            inDrought = droughtStartDay >= 0 && clock.dayOfYear >= droughtStartDay
                && Double(clock.dayOfYear - droughtStartDay) < disturbance.droughtDays
        }
        windAnomaly = 0.9 * windAnomaly + 0.436 * random.normal()

        cloud = min(1, max(0, (1 - spec.sunshine[month]) + 0.25 * cloudAnomaly + (inDrought ? -0.2 : 0)))
        windSpeed = max(0, spec.meanWind[month] * DeterministicMath.exp(0.5 * windAnomaly - 0.125))

        // Monthly means are mid-month; interpolate linearly between neighbouring months.
        let dayFraction = Double(clock.date.day - 1) / 30.0
        let (from, to, t) = dayFraction < 0.5
            ? ((month + 11) % 12, month, dayFraction + 0.5)
            : (month, (month + 1) % 12, dayFraction - 0.5)
        let mean = spec.temperature[from] * (1 - t) + spec.temperature[to] * t
        let diurnal = spec.diurnalAmplitude * DeterministicMath.cos(2 * Double.pi * Double(clock.hour - 15) / 24)
        temperature = mean + temperatureAnomaly + diurnal + eventWarming + (inDrought ? 1.5 : 0)
        heatwave = temperature > 35

        if let fixed = override {
            if let value = fixed.temperature { temperature = value }
            if let value = fixed.windSpeed { windSpeed = value }
            if let value = fixed.cloud { cloud = value }
            if let value = fixed.drought { inDrought = value }
            heatwave = temperature > 35
        }
        let sineOfElevation = Weather.clearSkyFraction(dayOfYear: clock.dayOfYear, hour: clock.hour, latitude: spec.latitude)
        solarFactor = Weather.clearSkyIrradiance(sineOfElevation: sineOfElevation, spec: spec)
            * (1 - 0.75 * DeterministicMath.pow(cloud, 3.4)) * spec.performanceRatio
        windFactor = Weather.turbineOutput(speed: windSpeed, spec: spec)
    }

    /// Sine of the sun's elevation at the middle of the hour, clamped at 0 (night).
    public static func clearSkyFraction(dayOfYear: Int, hour: Int, latitude: Double) -> Double {
        let declination = -23.44 * DeterministicMath.cos(2 * Double.pi * Double(dayOfYear + 10) / 365) * Double.pi / 180
        let phi = latitude * Double.pi / 180
        let hourAngle = (Double(hour) + 0.5 - 12) * 15 * Double.pi / 180
        let overhead: Double = DeterministicMath.sin(phi) * DeterministicMath.sin(declination)
        let tilted: Double = DeterministicMath.cos(phi) * DeterministicMath.cos(declination) * DeterministicMath.cos(hourAngle)
        return max(0, overhead + tilted)
    }

    /// Degree-hours above 24 °C a year, averaged over `years` years of the generator (the
    /// figure buildings' cooling coefficients are sized on, buildings.toml).
    public static func meanCoolingDegreeHours(spec: WeatherSpec, disturbance: DisturbanceSpec, seed: UInt64, startYear: Int,
                                              years: Int) -> Double {
        var weather = Weather(seed: seed)
        var clock = Clock(startYear: startYear)
        var total = 0.0
        while clock.year < startYear + years {
            weather.advance(clock: clock, spec: spec, disturbance: disturbance)
            total += max(0, weather.temperature - 24)
            clock.advance()
        }
        return total / Double(max(1, years))
    }

    /// Clear-sky global irradiance on a horizontal surface relative to the PV rating irradiance.
    public static func clearSkyIrradiance(sineOfElevation: Double, spec: WeatherSpec) -> Double {
        guard sineOfElevation > 0 else { return 0 }
        let elevation = asin(min(1, sineOfElevation)) * 180 / Double.pi
        let airMass = 1 / (sineOfElevation + 0.50572 * pow(elevation + 6.07995, -1.6364))
        let direct = spec.solarConstant * pow(spec.transmittance, pow(airMass, spec.airMassExponent))
        return spec.globalToDirect * direct * sineOfElevation / max(0.001, spec.ratedIrradiance)
    }

    /// A standard turbine power curve: nothing below cut-in or above cut-out, cubic to rated.
    public static func turbineOutput(speed: Double, spec: WeatherSpec) -> Double {
        if speed < spec.cutIn || speed >= spec.cutOut { return 0 }
        if speed >= spec.rated { return 1 }
        let cube = { (v: Double) in v * v * v }
        return (cube(speed) - cube(spec.cutIn)) / (cube(spec.rated) - cube(spec.cutIn))
    }
}

/// Weather fixed by a level event or a test; nil fields keep the generated value.
public struct WeatherOverride: Sendable, Equatable, Codable {
    public var temperature: Double?
    public var windSpeed: Double?
    public var cloud: Double?
    public var drought: Bool?
    public init(temperature: Double? = nil, windSpeed: Double? = nil, cloud: Double? = nil, drought: Bool? = nil) {
        self.temperature = temperature
        self.windSpeed = windSpeed
        self.cloud = cloud
        self.drought = drought
    }
}
