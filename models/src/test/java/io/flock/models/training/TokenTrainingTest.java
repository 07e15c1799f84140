package io.flock.models.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.flock.models.data.ByteTokenizer;
import io.flock.models.data.LabeledDataset;
import io.flock.models.data.Mnist;
import io.flock.models.data.NodeData;
import io.flock.models.data.TextCorpus;
import io.flock.models.data.WordPieceTokenizer;
import io.flock.models.weights.ModelWeights;
import io.flock.models.zoo.ModelSpec;
import io.flock.models.zoo.ModelZoo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local training and evaluation of the token models: next-token prediction and BERT's masked LM. */
class TokenTrainingTest {

  /** A short, very repetitive text: a language model learns it within a few steps. */
  static final String TEXT = "the cat sat on the mat. the dog sat on the log. ".repeat(60);

  static List<TextCorpus.Book> books() {
    return List.of(new TextCorpus.Book("a", TEXT, TEXT.substring(0, 600)),
        new TextCorpus.Book("b", TEXT.toUpperCase(), TEXT.toUpperCase().substring(0, 600)));
  }

  static int[] all(LabeledDataset d) {
    int[] a = new int[d.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = i;
    }
    return a;
  }

  @Test
  void charLmLearnsNextBytesAndEvaluationSeesItInLossAndAccuracy() throws Exception {
    ModelSpec spec = ModelZoo.get(ModelZoo.CHAR_LM);
    Mnist.Splits s = TextCorpus.tokenize("toy", books(), new ByteTokenizer(),
        TextCorpus.Window.languageModel(ModelZoo.CHAR_SEQUENCE));
    assertEquals(129, s.train().featureDim());
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu());
        ModelEvaluator eval = new ModelEvaluator(spec, Device.cpu())) {
      ModelWeights init = ModelInitializer.initialWeights(spec, 3);
      EvalResult before = eval.evaluate(init, s.test());
      assertEquals(Math.log(256), before.loss(), 0.1, "an untrained LM is near uniform over 256 bytes");
      LocalUpdate up = trainer.train(init, new TrainConfig(2, 8, 1.0, 0, 0, 12, 0),
          new NodeData(s.train(), all(s.train())), 5);
      assertEquals(12, up.steps());
      EvalResult after = eval.evaluate(up.weights(), s.test());
      assertTrue(after.loss() < before.loss() - 1.0, before + " -> " + after);
      assertTrue(after.accuracy() > before.accuracy(), before + " -> " + after);
      LocalUpdate again = trainer.train(init, new TrainConfig(2, 8, 1.0, 0, 0, 12, 0),
          new NodeData(s.train(), all(s.train())), 5);
      assertEquals(up.weights(), again.weights(), "seeded local training is reproducible");
    }
  }

  @Test
  void bertTinyTrainsOnMaskedTokensAndIsEvaluatedOnFixedMasks() throws Exception {
    ModelSpec spec = ModelZoo.get(ModelZoo.BERT_TINY);
    List<TextCorpus.Book> books = books();
    WordPieceTokenizer wp = WordPieceTokenizer.build(books.stream().map(TextCorpus.Book::train).toList(), 30_000);
    Mnist.Splits s = TextCorpus.tokenize("toy", books, wp, TextCorpus.Window.bert(ModelZoo.BERT_SEQUENCE));
    try (LocalTrainer trainer = new LocalTrainer(spec, Device.cpu());
        ModelEvaluator eval = new ModelEvaluator(spec, Device.cpu())) {
      ModelWeights init = ModelInitializer.initialWeights(spec, 4);
      EvalResult before = eval.evaluate(init, s.test());
      assertEquals(before, eval.evaluate(init, s.test()), "evaluation masks are fixed");
      LocalUpdate up = trainer.train(init, new TrainConfig(2, 4, 0.05, 0, 0, 6, 0),
          new NodeData(s.train(), all(s.train())), 6);
      assertEquals(6, up.steps());
      assertTrue(Double.isFinite(up.meanLoss()), "MLM loss " + up.meanLoss());
      EvalResult after = eval.evaluate(up.weights(), s.test());
      assertTrue(after.loss() < before.loss(), before + " -> " + after);
    }
  }
}
