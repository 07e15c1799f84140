package io.flock.simulations;

import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import java.util.List;

/**
 * The outcome of a simulation.
 *
 * @param finished the coordinator's final event
 * @param reports one report per round, in order
 * @param elapsedMillis wall time from the start of the actor system to the end
 */
public record SimulationResult(TrainingFinished finished, List<RoundReport> reports, long elapsedMillis) {

  public SimulationResult {
    reports = List.copyOf(reports);
  }
}
