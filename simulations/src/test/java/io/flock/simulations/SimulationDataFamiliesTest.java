package io.flock.simulations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flock.models.data.DataSets;
import io.flock.models.data.Partitioner;
import io.flock.models.zoo.ModelZoo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny federated round per data family (tabular, causal LM, masked LM) on fixtures written into
 * a temporary data directory in the cache's own layout, so the tests need no download.
 */
class SimulationDataFamiliesTest {

  @TempDir static Path cache;

  static final String[] BOOKS = {"1-sense-and-sensibility", "2-pride-and-prejudice", "3-mansfield-park", "4-emma",
      "5-northanger-abbey", "6-persuasion"};

  @BeforeAll
  static void fixtures() throws IOException {
    Path austen = Files.createDirectories(cache.resolve(DataSets.AUSTEN));
    String[] words = {"the", "lady", "walked", "to", "town", "and", "said", "that", "she", "was", "very", "happy"};
    for (int b = 0; b < BOOKS.length; b++) {
      Random r = new Random(b);
      StringBuilder text = new StringBuilder();
      while (text.length() < 16_000) {
        for (int w = 0; w < 12; w++) {
          text.append(words[r.nextInt(words.length)]).append(w == 11 ? ".\n" : " ");
        }
      }
      Files.writeString(austen.resolve(BOOKS[b] + ".txt"), text);
    }
    Path credit = Files.createDirectories(cache.resolve("german-credit"));
    StringBuilder arff = new StringBuilder("@relation german_credit\n@attribute checking { a, b, c}\n"
        + "@attribute duration numeric\n@attribute class { good, bad}\n@data\n");
    Random r = new Random(1);
    for (int i = 0; i < 60; i++) {
      int c = r.nextInt(3);
      arff.append("abc".charAt(c)).append(',').append(6 + r.nextInt(40)).append(',')
          .append(c == 0 ? "bad" : "good").append('\n');
    }
    Files.writeString(credit.resolve("credit-g.arff"), arff);
  }

  static SimulationConfig.Builder tiny(String model, String dataset) {
    return SimulationConfig.defaults().toBuilder().model(model).dataset(dataset).dataDir(cache).rounds(1)
        .seed(3).minNodes(1).minFraction(0).targetAccuracy(0).roundTimeout(Duration.ofMinutes(2));
  }

  @Test
  void logisticRegressionTrainsFederatedOnGermanCredit() throws Exception {
    SimulationResult r = Simulation.run(tiny(ModelZoo.LOGISTIC, "german-credit").nodes(4).fraction(0.5)
        .rounds(2).build(), SimulationMnistTest.ACTORS, x -> {});
    assertEquals(2, r.finished().completedRounds());
    assertTrue(r.finished().finalAccuracy() > 0.5, "accuracy " + r.finished().finalAccuracy());
  }

  @Test
  void charLmTrainsOneRoundWithOneNodePerBook() throws Exception {
    SimulationConfig c = tiny(ModelZoo.CHAR_LM, DataSets.AUSTEN).partition(Partitioner.Scheme.NATURAL).nodes(6)
        .fraction(1 / 3.0).batchSize(4).maxSteps(2).learningRate(0.5).testLimit(8).build();
    Simulation.Prepared p = Simulation.prepare(c);
    assertEquals(List.of(0, 1, 2, 3, 4, 5), p.data().partitions().stream()
        .map(n -> n.dataset().label(n.index(0))).toList(), "node k holds book k");
    SimulationResult r = Simulation.run(p, SimulationMnistTest.ACTORS, x -> {});
    assertEquals(1, r.finished().completedRounds(), r.reports().toString() + r.finished());
    assertEquals(2, r.reports().get(0).nodesParticipating());
    assertTrue(r.finished().finalLoss() < Math.log(256), "loss per byte " + r.finished().finalLoss());
  }

  @Test
  void bertTinyTrainsOneMaskedLmRound() throws Exception {
    SimulationResult r = Simulation.run(tiny(ModelZoo.BERT_TINY, DataSets.AUSTEN).partition(Partitioner.Scheme.NATURAL)
        .nodes(6).fraction(1 / 3.0).batchSize(2).maxSteps(1).learningRate(0.05).testLimit(4).build(),
        SimulationMnistTest.ACTORS, x -> {});
    assertEquals(1, r.finished().completedRounds());
    // Both sampled nodes send finite updates (an evaluator racing a training task once made NaN ones).
    assertEquals(2, r.reports().get(0).nodesParticipating(), r.reports().get(0).dropouts().toString());
    assertTrue(Double.isFinite(r.finished().finalLoss()), "MLM loss " + r.finished().finalLoss());
  }

  @Test
  void gptMiniTrainsOneStepPerNodeOnBpeTokens() throws Exception {
    SimulationResult r = Simulation.run(tiny(ModelZoo.GPT_MINI, DataSets.AUSTEN).partition(Partitioner.Scheme.NATURAL)
        .nodes(6).fraction(1 / 6.0).batchSize(1).maxSteps(1).learningRate(0.01).testLimit(1).build(),
        SimulationMnistTest.ACTORS, x -> {});
    assertEquals(1, r.finished().completedRounds());
    assertTrue(Double.isFinite(r.finished().finalLoss()), "LM loss " + r.finished().finalLoss());
  }

  @Test
  void nonsensicalModelAndDataSetPairIsRefusedNamingTheSensibleOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Simulation.prepare(tiny(ModelZoo.CNN, "german-credit").build()));
    assertEquals("--model cnn does not fit --dataset german-credit: models for german-credit are logistic, mlp-2nn;"
        + " cnn trains on mnist, fashion-mnist", e.getMessage());
    IllegalArgumentException t = assertThrows(IllegalArgumentException.class,
        () -> Simulation.prepare(tiny(ModelZoo.GPT_MINI, "mnist").build()));
    assertTrue(t.getMessage().contains("gpt-mini trains on austen"), t.getMessage());
  }
}
