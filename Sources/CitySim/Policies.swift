// Policies.swift — the city's policy levers that the systems read.
//
// Levels set them at the start; later features (the market, the policy panel) change them through
// commands. Transport reads the fare and the car charge in its mode choice.

public struct Policies: Sendable, Equatable {
    /// Multiplies bus and metro fares (1 = catalog fares, 0 = free transit).
    public var transitFareMultiplier = 1.0
    /// Extra cost of driving, yuan per km (a fuel tax or congestion charge); electric cars pay
    /// `electricCarShareOfCharge` of it.
    public var carChargePerKm = 0.0
    public var electricCarShareOfCharge = 1.0
    public init() {}
}

/// Conditions the city does not choose, set by level events: fuel prices and coal supply.
public struct MarketConditions: Sendable, Equatable {
    /// Multiplies the fuel cost of coal, gas and biomass plants.
    public var fuelPriceMultiplier = 1.0
    /// Share of coal plants' capacity that has fuel (a coal shortage lowers it).
    public var coalAvailability = 1.0
    public init() {}
}
