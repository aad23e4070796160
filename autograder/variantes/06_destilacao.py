# Respostas de alunos imaginários ao caderno 06_destilacao, para provar que a avaliação é justa.
# Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos estão os do texto do módulo.
# O aluno «meio certo»: esquece o T² na perda suave e deixa o professor treinar; a perda total
# está certa.


# %% certa perda_destilacao: KL com keras.losses.KLDivergence sobre as probabilidades
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    p = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    q = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    return keras.losses.KLDivergence()(p, q) * temperatura ** 2


# %% certa perda_destilacao: KL como Σ p·(log p − log q) com logsumexp, dividida pelo tamanho do lote
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    za = tf.convert_to_tensor(logits_aluno, tf.float32) / temperatura
    zp = tf.convert_to_tensor(logits_professor, tf.float32) / temperatura
    log_q = za - tf.reduce_logsumexp(za, axis=1, keepdims=True)
    log_p = zp - tf.reduce_logsumexp(zp, axis=1, keepdims=True)
    kl_por_exemplo = tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=1)
    n = tf.cast(tf.shape(za)[0], tf.float32)
    return temperatura * temperatura * tf.reduce_sum(kl_por_exemplo) / n


# %% certa perda_destilacao: KL como entropia cruzada menos a entropia do professor
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    t = float(temperatura)
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / t)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / t)
    p = tf.exp(log_p)
    entropia_cruzada = -tf.reduce_sum(p * log_q, axis=-1)
    entropia = -tf.reduce_sum(p * log_p, axis=-1)
    return t ** 2 * tf.reduce_mean(entropia_cruzada - entropia)


# %% certa perda_total: perda dura com tf.nn.sparse_softmax_cross_entropy_with_logits
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(y, tf.int32), logits=tf.cast(logits_aluno, tf.float32)))
    suave = perda_destilacao(logits_aluno, logits_professor, temperatura)
    return (1 - alpha) * dura + alpha * suave


# %% certa perda_total: perda dura com o objeto SparseCategoricalCrossentropy
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) \
        + (1.0 - alpha) * ce(y, tf.cast(logits_aluno, tf.float32))


# %% certa Destilador: Destilador que congela com tf.stop_gradient e usa compiled_metrics (tf_keras)
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno, self.professor = aluno, professor
        self.alpha, self.temperatura = alpha, temperatura
        self.rastreio_perda = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        x, y = data
        # O professor não é congelado com trainable: o gradiente nunca chega até ele.
        alvo = tf.stop_gradient(self.professor(x, training=False))
        with tf.GradientTape() as fita:
            logits = self.aluno(x, training=True)
            perda = perda_total(y, logits, alvo, self.alpha, self.temperatura)
        grads = fita.gradient(perda, self.aluno.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.aluno.trainable_weights, strict=True))
        self.rastreio_perda.update_state(perda)
        self.compiled_metrics.update_state(y, logits)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        logits = self.aluno(x, training=False)
        perda = perda_total(y, logits, self.professor(x, training=False), self.alpha, self.temperatura)
        self.rastreio_perda.update_state(perda)
        self.compiled_metrics.update_state(y, logits)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% certa Destilador: Destilador que congela camada a camada e calcula a perda em linha
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        for camada in professor.layers:
            camada.trainable = False
        self.aluno = aluno
        self.professor = professor
        self.alpha = float(alpha)
        self.temperatura = float(temperatura)
        self.media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def _perda(self, y, za, zp):
        t = self.temperatura
        kl = keras.losses.KLDivergence()(tf.nn.softmax(zp / t), tf.nn.softmax(za / t)) * t * t
        ce = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, za, from_logits=True))
        return self.alpha * kl + (1 - self.alpha) * ce

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        zp = self.professor(x, training=False)
        with tf.GradientTape() as fita:
            za = self.aluno(x, training=True)
            perda = self._perda(y, za, zp)
        variaveis = self.aluno.trainable_variables
        self.optimizer.minimize(perda, variaveis, tape=fita)
        self.media.update_state(perda)
        self.compute_metrics(x, y, za, None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        za = self.aluno(x, training=False)
        self.media.update_state(self._perda(y, za, self.professor(x, training=False)))
        self.compute_metrics(x, y, za, None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% certa Destilador: Destilador com tf.stop_gradient e self.trainable_variables (o tf_keras avisa em stderr)
# O professor não é congelado com trainable: tf.stop_gradient corta-lhe o gradiente e o passo
# usa todas as variáveis treináveis do Destilador. As do professor (que chega treinável) têm
# gradiente None: o otimizador ignora-as e o tf_keras avisa «Gradients do not exist for
# variables …» pelo logging, em stderr, na célula que chama o fit (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada).
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        self.alpha = alpha
        self.temperatura = temperatura
        self.perda_media = keras.metrics.Mean(name="loss")

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as fita:
            logits_professor = tf.stop_gradient(self.professor(x, training=False))
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)
        variaveis = self.trainable_variables
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis, strict=True))
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, self.professor(x, training=False), self.alpha, self.temperatura)
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% errada perda_destilacao: sem o fator T²
# falha: teste_perda_destilacao_valores, teste_perda_destilacao_propriedades
# aluno: meio_certo
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return tf.reduce_mean(tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1))


# %% errada perda_destilacao: KL ao contrário: KL(aluno ‖ professor)
# falha: teste_perda_destilacao_valores
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(tf.exp(log_q) * (log_q - log_p), axis=-1))


# %% errada perda_destilacao: entropia cruzada do texto (não subtrai a entropia do professor)
# falha: teste_perda_destilacao_valores, teste_perda_destilacao_propriedades
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    soft_aluno = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    soft_professor = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return tf.reduce_mean(keras.losses.categorical_crossentropy(soft_professor, soft_aluno)) * temperatura ** 2


# %% errada perda_destilacao: softmax aplicado duas vezes (probabilidades tratadas como logits)
# falha: teste_perda_destilacao_valores
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    prob_aluno = tf.nn.softmax(tf.cast(logits_aluno, tf.float32))
    prob_professor = tf.nn.softmax(tf.cast(logits_professor, tf.float32))
    log_q = tf.nn.log_softmax(prob_aluno / temperatura)
    log_p = tf.nn.log_softmax(prob_professor / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1))


# %% errada perda_destilacao: soma sobre o lote em vez da média
# falha: teste_perda_destilacao_valores
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_sum(tf.exp(log_p) * (log_p - log_q))


# %% errada perda_destilacao: log(softmax) em vez de log_softmax: −inf com logits grandes
# falha: teste_perda_destilacao_propriedades
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    q = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    p = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(p * (tf.math.log(p) - tf.math.log(q)), axis=-1))


# %% errada perda_total: pesos de alpha trocados
# falha: teste_perda_total
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32), from_logits=True))
    return (1 - alpha) * perda_destilacao(logits_aluno, logits_professor, temperatura) + alpha * dura


# %% errada perda_total: entropia cruzada com os logits do aluno divididos por T
# falha: teste_perda_total
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    logits_aluno = tf.cast(logits_aluno, tf.float32)
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits_aluno / temperatura, from_logits=True))
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) + (1 - alpha) * dura


# %% errada perda_total: parte suave sempre à temperatura 1 (não passa a temperatura)
# falha: teste_perda_total
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32), from_logits=True))
    return alpha * perda_destilacao(logits_aluno, logits_professor, 1.0) + (1 - alpha) * dura


# %% errada perda_total: entropia cruzada sem from_logits=True (logits tratados como probabilidades)
# falha: teste_perda_total
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32)))
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) + (1 - alpha) * dura


# %% errada Destilador: Destilador: professor treinável e gradiente em relação a todas as variáveis
# falha: teste_destilador_professor_congelado
# aluno: meio_certo
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        self.alpha = alpha
        self.temperatura = temperatura
        self.perda_media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as fita:
            logits_professor = self.professor(x, training=False)
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)
        variaveis = self.trainable_variables
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis, strict=True))
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% errada Destilador: Destilador: alpha e temperatura fixos (ignora os argumentos)
# falha: teste_destilador_perda_desce
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        self.professor.trainable = False
        self.alpha = alpha
        self.temperatura = temperatura
        self.perda_media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as fita:
            logits_professor = self.professor(x, training=False)
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_professor, 0.1, 3.0)
        variaveis = self.aluno.trainable_variables
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis, strict=True))
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, logits_professor, 0.1, 3.0)
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% errada Destilador: Destilador: ignora o professor (só a entropia cruzada)
# falha: teste_destilador_perda_desce
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        self.professor.trainable = False
        self.alpha = alpha
        self.temperatura = temperatura
        self.perda_media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as fita:
            logits_professor = self.professor(x, training=False)  # noqa: F841 (o erro: nunca a usa)
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_aluno, self.alpha, self.temperatura)
        variaveis = self.aluno.trainable_variables
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis, strict=True))
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)  # noqa: F841 (o erro: nunca a usa)
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, logits_aluno, self.alpha, self.temperatura)
        self.perda_media.update_state(perda)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)


# %% errada Destilador: Destilador do texto: não regista a perda (o fit não mostra 'loss')
# falha: teste_destilador_perda_desce
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        self.professor.trainable = False
        self.alpha = alpha
        self.temperatura = temperatura
        self.perda_media = keras.metrics.Mean(name="loss")

    def compile(self, optimizer="adam", metrics=None, **kwargs):
        super().compile(optimizer=optimizer, metrics=metrics, **kwargs)

    def train_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        with tf.GradientTape() as fita:
            logits_professor = self.professor(x, training=False)
            logits_aluno = self.aluno(x, training=True)
            perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)
        variaveis = self.aluno.trainable_variables
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis, strict=True))
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)
        logits_aluno = self.aluno(x, training=False)
        perda = perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)  # noqa: F841 (o erro: não a regista)
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {m.name: m.result() for m in self.metrics}

    def call(self, x, training=None):
        return self.aluno(x, training=training)
