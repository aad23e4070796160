"""Solução de referência do caderno 06_destilacao — 4.2 «Knowledge Distillation».

Corrige a armadilha 7 (docs/correcoes.md#a7-destilacao):

* o professor tem de ser treinado na mesma tarefa que o aluno (o texto junta uma ResNet50 do
  ImageNet, com 1000 classes e pesos descarregados, a um aluno de 10 classes); no curso o
  professor é o modelo de base, treinado no caderno;
* a perda suave é T²·KL(professor ‖ aluno) calculada sobre *logits* divididos pela
  temperatura (o texto trata probabilidades softmax como logits);
* o professor fica congelado: ``professor.trainable = False`` e o gradiente só é calculado
  em relação às variáveis do aluno;
* ``self.compiled_metrics`` desapareceu no Keras 3. Aqui as métricas são atualizadas com
  ``self.compute_metrics(...)``, que existe no tf_keras 2.x (≥ 2.12, usado pelo curso) e no
  Keras 3, e a perda tem o seu próprio ``keras.metrics.Mean``. Código testado com tf_keras
  2.21; usamos ``tf_keras`` para o aluno e o professor serem os mesmos modelos Keras 2 dos
  outros cadernos (e do tfmot).

Sem funções auxiliares privadas: ``perda_total`` usa ``perda_destilacao`` e o
``Destilador`` usa ``perda_total`` (exercícios anteriores do mesmo caderno).
"""

from __future__ import annotations

import os

# O curso usa Keras 2 (tf_keras) em todos os modelos: docs/correcoes.md#a4-tfmot-so-com-keras-2.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402


def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    """Perda suave da destilação: T² · KL(softmax(professor/T) ‖ softmax(aluno/T)), média
    sobre o lote.

    Aceita arrays NumPy ou tensores (também dentro de ``tf.function``) com forma
    ``(lote, classes)`` e devolve um tensor escalar float32 (``float(...)`` dá o número).
    O fator T² mantém os gradientes da parte suave na mesma escala qualquer que seja T.
    """
    t = tf.cast(temperatura, tf.float32)
    z_aluno = tf.cast(logits_aluno, tf.float32) / t
    z_professor = tf.cast(logits_professor, tf.float32) / t
    # log_softmax é numericamente estável (não calcula log(0)).
    log_p_professor = tf.nn.log_softmax(z_professor, axis=-1)
    log_p_aluno = tf.nn.log_softmax(z_aluno, axis=-1)
    p_professor = tf.exp(log_p_professor)
    # KL(P ‖ Q) = Σ P·(log P − log Q), uma por exemplo. Nunca é negativa; o maximum só apaga
    # resíduos de arredondamento (−1e-9) quando os logits são iguais.
    kl = tf.reduce_sum(p_professor * (log_p_professor - log_p_aluno), axis=-1)
    kl = tf.maximum(kl, 0.0)
    return t**2 * tf.reduce_mean(kl)


def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    """Perda da destilação: ``alpha`` · perda suave (``perda_destilacao``) +
    (1 − ``alpha``) · entropia cruzada esparsa entre as etiquetas ``y`` (inteiros) e os logits
    do aluno. Devolve um tensor escalar float32."""
    perda_dura = tf.reduce_mean(
        keras.losses.sparse_categorical_crossentropy(
            y, tf.cast(logits_aluno, tf.float32), from_logits=True
        )
    )
    perda_suave = perda_destilacao(logits_aluno, logits_professor, temperatura)
    return alpha * perda_suave + (1.0 - alpha) * perda_dura


class Destilador(keras.Model):
    """Treina o ``aluno`` a imitar o ``professor`` (congelado) e as etiquetas verdadeiras.

    Uso::

        destilador = Destilador(aluno, professor, alpha=0.1, temperatura=3.0)
        destilador.compile(optimizer=keras.optimizers.Adam(), metrics=["accuracy"])
        destilador.fit(x_treino, y_treino, epochs=10)

    Os dois modelos devolvem *logits*. As métricas (e ``predict``) usam as saídas do aluno.
    No fim, guarda-se só o ``aluno``.
    """

    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        """Guarda os modelos e os hiperparâmetros, congela o professor e cria a métrica
        keras.metrics.Mean(name="loss")."""
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        # Congela o professor, mesmo que chegue treinável: o treino só mexe no aluno.
        self.professor.trainable = False
        self.alpha = alpha
        self.temperatura = temperatura
        # A perda tem a sua própria métrica (média ao longo da época). Uma métrica guardada
        # como atributo entra sozinha em self.metrics (e o Keras reinicia-a a cada época).
        self.perda_media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        """Compila sem `loss`: a perda é calculada no train_step."""
        # Não passamos `loss`: a perda é calculada no train_step com perda_total.
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        """Um passo de treino: previsões do professor, perda_total na GradientTape, gradiente
        só nas variáveis do aluno, métricas. Devolve {nome: valor} das métricas."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        # O professor só faz previsões (training=False: BatchNorm/Dropout em modo inferência).
        logits_professor = self.professor(x, training=False)
        with tf.GradientTape() as fita:
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_professor, self.alpha,
                                self.temperatura)
        # Gradiente só em relação às variáveis do aluno: o professor nunca muda.
        variaveis = self.aluno.trainable_variables
        gradientes = fita.gradient(perda, variaveis)
        self.optimizer.apply_gradients(zip(gradientes, variaveis, strict=True))
        # Sem compiled_metrics (desapareceu no Keras 3): compute_metrics atualiza as métricas
        # do compile() com as saídas do aluno.
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        """Como o train_step, sem gradiente e com o aluno em modo de inferência."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        """Prever com o destilador é prever com o aluno (logits)."""
        # Prever com o destilador é prever com o aluno.
        return self.aluno(x, training=training)
