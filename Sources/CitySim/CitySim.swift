// CitySim — the carbon-city model, built on the ECS runtime.
// This file is a placeholder until the simulation lands (issue: the carbon-city simulation).
import ECS

public enum CitySim {
    public static let version = "0.1.0"
}
