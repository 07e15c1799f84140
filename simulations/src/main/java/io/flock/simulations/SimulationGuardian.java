package io.flock.simulations;

import io.flock.actors.coordinator.Coordinator;
import io.flock.actors.coordinator.CoordinatorSettings;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import io.flock.actors.node.TrainingNode;
import io.flock.actors.worker.TrainingWorker;
import io.flock.models.aggregation.Strategy;
import io.flock.models.data.NodeData;
import io.flock.models.data.Seeds;
import io.flock.models.training.Evaluator;
import io.flock.models.training.TrainingEngine;
import io.flock.models.weights.ModelWeights;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Routers;

/**
 * Root actor of a simulation: spawns the training worker pool, one {@link TrainingNode} per
 * partition and the {@link Coordinator}; forwards each {@link RoundReport} to a callback and
 * stops the actor system after {@link TrainingFinished}.
 */
final class SimulationGuardian {

  /** What the guardian needs to build the federation. */
  record Plan(
      List<NodeData> partitions,
      List<NodeData> evalPartitions,
      java.util.Set<Integer> attackers,
      double attackScale,
      ModelWeights initial,
      CoordinatorSettings coordinator,
      Strategy strategy,
      Supplier<TrainingEngine> engineFactory,
      Supplier<Evaluator> evaluatorFactory,
      int workers,
      Duration minBackoff,
      Duration maxBackoff) {}

  private SimulationGuardian() {}

  static Behavior<Coordinator.Event> create(
      Plan plan, Consumer<RoundReport> onRound, Consumer<TrainingFinished> onFinished) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<TrainingWorker.Command> workers =
              ctx.spawn(
                  Routers.pool(plan.workers(),
                          TrainingWorker.supervised(plan.engineFactory(), plan.minBackoff(), plan.maxBackoff()))
                      .withRoundRobinRouting(),
                  "workers");
          for (int i = 0; i < plan.partitions().size(); i++) {
            String nodeId = Simulation.nodeId(i);
            TrainingNode.Setup setup = TrainingNode.Setup.of(nodeId, plan.partitions().get(i),
                    plan.initial().layout(), Seeds.derive(plan.coordinator().seed(), i))
                .withEvalData(plan.evalPartitions().isEmpty() ? null : plan.evalPartitions().get(i))
                .withUpdateScale(plan.attackers().contains(i) ? plan.attackScale() : 1.0);
            if (plan.coordinator().round().secureAggregation() != null) {
              setup = setup.withIdentity(Simulation.simulatedIdentity(plan.coordinator().seed(), nodeId));
            }
            ctx.spawn(TrainingNode.supervised(setup, workers, plan.minBackoff(), plan.maxBackoff()), nodeId);
          }
          var coordinator = ctx.spawn(
              Coordinator.create(plan.coordinator(), plan.initial(), plan.strategy(),
                  plan.evaluatorFactory(), ctx.getSelf()),
              "coordinator");
          // If the coordinator dies, stop the system: the caller reports that training did not
          // finish instead of waiting forever.
          ctx.watch(coordinator);
          return Behaviors.receive(Coordinator.Event.class)
              .onMessage(RoundReport.class, r -> {
                onRound.accept(r);
                return Behaviors.same();
              })
              .onMessage(TrainingFinished.class, f -> {
                onFinished.accept(f);
                return Behaviors.stopped();
              })
              .onSignal(org.apache.pekko.actor.typed.Terminated.class, t -> {
                ctx.getLog().error("the coordinator stopped before training finished (see the log above)");
                return Behaviors.stopped();
              })
              .build();
        });
  }
}
