package io.flock.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.flock.actors.coordinator.Coordinator;
import io.flock.actors.coordinator.RoundReport;
import io.flock.actors.coordinator.TrainingFinished;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The coordinator's listener in a cluster, on whichever JVM hosts the coordinator: prints each
 * round's progress line and appends its JSON record to {@code WORKDIR/metrics.jsonl} (a resumed
 * run appends to the same file on its own JVM), and hands the end of training to {@code
 * onFinished}. A round reaches it only after its checkpoint was written and replicated. The final
 * record's {@code elapsedMs} is null: a run that moved between JVMs has no one clock.
 */
final class RunReporter {

  /** The metrics file in a work directory. */
  static final String METRICS = "metrics.jsonl";

  private RunReporter() {}

  static Behavior<Coordinator.Event> create(
      Path workdir, Consumer<String> out, Consumer<TrainingFinished> onFinished) {
    ObjectMapper json = new ObjectMapper();
    Path metrics = workdir.resolve(METRICS);
    return Behaviors.setup(ctx -> Behaviors.receive(Coordinator.Event.class)
        .onMessage(RoundReport.class, r -> {
          out.accept(RoundLines.progress(r));
          append(metrics, json.writeValueAsString(RoundLines.json(r)), ctx.getLog());
          return Behaviors.same();
        })
        .onMessage(TrainingFinished.class, f -> {
          append(metrics, json.writeValueAsString(RoundLines.json(f, null)), ctx.getLog());
          out.accept(RoundLines.finished(f)
              + (Double.isNaN(f.epsilon()) ? "" : String.format(" | epsilon %.4f", f.epsilon())));
          onFinished.accept(f);
          return Behaviors.same();
        })
        .build());
  }

  private static void append(Path file, String line, org.slf4j.Logger log) {
    try {
      Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      log.warn("cannot append to {}: {}", file, e.getMessage());
    }
  }
}
