package org.jzeo.testing.crashfs;

/**
 * A workload and the check of what a power loss during it may leave: the unit the durability tests sweep, and
 * the mutation check replays with one force removed at a time.
 */
public record PowerLossScenario(String name, PowerLossSweep.Workload workload, PowerLossSweep.Check check) {
}
