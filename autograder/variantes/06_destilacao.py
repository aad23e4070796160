"""Respostas de alunos imaginários ao caderno 06_destilacao, para provar que a avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles os do texto do módulo); cada um tem de falhar pelo menos as
células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "KL com keras.losses.KLDivergence sobre as probabilidades": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    p = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    q = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    return keras.losses.KLDivergence()(p, q) * temperatura ** 2
'''),
    "KL como Σ p·(log p − log q) com logsumexp, dividida pelo tamanho do lote": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    za = tf.convert_to_tensor(logits_aluno, tf.float32) / temperatura
    zp = tf.convert_to_tensor(logits_professor, tf.float32) / temperatura
    log_q = za - tf.reduce_logsumexp(za, axis=1, keepdims=True)
    log_p = zp - tf.reduce_logsumexp(zp, axis=1, keepdims=True)
    kl_por_exemplo = tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=1)
    n = tf.cast(tf.shape(za)[0], tf.float32)
    return temperatura * temperatura * tf.reduce_sum(kl_por_exemplo) / n
'''),
    "KL como entropia cruzada menos a entropia do professor": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    t = float(temperatura)
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / t)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / t)
    p = tf.exp(log_p)
    entropia_cruzada = -tf.reduce_sum(p * log_q, axis=-1)
    entropia = -tf.reduce_sum(p * log_p, axis=-1)
    return t ** 2 * tf.reduce_mean(entropia_cruzada - entropia)
'''),
    "perda dura com tf.nn.sparse_softmax_cross_entropy_with_logits": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(y, tf.int32), logits=tf.cast(logits_aluno, tf.float32)))
    suave = perda_destilacao(logits_aluno, logits_professor, temperatura)
    return (1 - alpha) * dura + alpha * suave
'''),
    "perda dura com o objeto SparseCategoricalCrossentropy": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) \\
        + (1.0 - alpha) * ce(y, tf.cast(logits_aluno, tf.float32))
'''),
    "Destilador que congela com tf.stop_gradient e usa compiled_metrics (tf_keras)": ("Destilador", '''
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
        self.optimizer.apply_gradients(zip(grads, self.aluno.trainable_weights))
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
'''),
    "Destilador que congela camada a camada e calcula a perda em linha": ("Destilador", '''
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
'''),
    # O professor não é congelado com trainable: tf.stop_gradient corta-lhe o gradiente e o passo
    # usa todas as variáveis treináveis do Destilador. As do professor (que chega treinável) têm
    # gradiente None: o otimizador ignora-as e o tf_keras avisa «Gradients do not exist for
    # variables …» pelo logging, em stderr, na célula que chama o fit (docs/invariantes.md#i9-a-avaliacao-nao-perde-nada).
    "Destilador com tf.stop_gradient e self.trainable_variables (o tf_keras avisa em stderr)": ("Destilador", '''
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
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis))
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
'''),
}

# --------------------------------------------------------------------------- erros típicos
_DESTILADOR = '''
class Destilador(keras.Model):
    def __init__(self, aluno, professor, alpha=0.1, temperatura=3.0):
        super().__init__()
        self.aluno = aluno
        self.professor = professor
        {CONGELA}
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
            perda = {PERDA}
        variaveis = {VARIAVEIS}
        self.optimizer.apply_gradients(zip(fita.gradient(perda, variaveis), variaveis))
        {REGISTA}
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {{m.name: m.result() for m in self.metrics}}

    def test_step(self, data):
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        logits_professor = self.professor(x, training=False)
        logits_aluno = self.aluno(x, training=False)
        perda = {PERDA}
        {REGISTA}
        self.compute_metrics(x, y, logits_aluno, sample_weight=None)
        return {{m.name: m.result() for m in self.metrics}}

    def call(self, x, training=None):
        return self.aluno(x, training=training)
'''


def _destilador(congela="self.professor.trainable = False",
                perda="perda_total(y, logits_aluno, logits_professor, self.alpha, self.temperatura)",
                variaveis="self.aluno.trainable_variables",
                regista="self.perda_media.update_state(perda)"):
    return _DESTILADOR.format(CONGELA=congela, PERDA=perda, VARIAVEIS=variaveis, REGISTA=regista)


# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "sem o fator T²": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return tf.reduce_mean(tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1))
''', ["teste_perda_destilacao_valores", "teste_perda_destilacao_propriedades"]),
    "KL ao contrário: KL(aluno ‖ professor)": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(tf.exp(log_q) * (log_q - log_p), axis=-1))
''', ["teste_perda_destilacao_valores"]),
    "entropia cruzada do texto (não subtrai a entropia do professor)": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    soft_aluno = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    soft_professor = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return tf.reduce_mean(keras.losses.categorical_crossentropy(soft_professor, soft_aluno)) * temperatura ** 2
''', ["teste_perda_destilacao_valores", "teste_perda_destilacao_propriedades"]),
    "softmax aplicado duas vezes (probabilidades tratadas como logits)": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    prob_aluno = tf.nn.softmax(tf.cast(logits_aluno, tf.float32))
    prob_professor = tf.nn.softmax(tf.cast(logits_professor, tf.float32))
    log_q = tf.nn.log_softmax(prob_aluno / temperatura)
    log_p = tf.nn.log_softmax(prob_professor / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(tf.exp(log_p) * (log_p - log_q), axis=-1))
''', ["teste_perda_destilacao_valores"]),
    "soma sobre o lote em vez da média": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    log_q = tf.nn.log_softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    log_p = tf.nn.log_softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_sum(tf.exp(log_p) * (log_p - log_q))
''', ["teste_perda_destilacao_valores"]),
    "log(softmax) em vez de log_softmax: −inf com logits grandes": ("perda_destilacao", '''
def perda_destilacao(logits_aluno, logits_professor, temperatura: float):
    q = tf.nn.softmax(tf.cast(logits_aluno, tf.float32) / temperatura)
    p = tf.nn.softmax(tf.cast(logits_professor, tf.float32) / temperatura)
    return temperatura ** 2 * tf.reduce_mean(tf.reduce_sum(p * (tf.math.log(p) - tf.math.log(q)), axis=-1))
''', ["teste_perda_destilacao_propriedades"]),
    "pesos de alpha trocados": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32), from_logits=True))
    return (1 - alpha) * perda_destilacao(logits_aluno, logits_professor, temperatura) + alpha * dura
''', ["teste_perda_total"]),
    "entropia cruzada com os logits do aluno divididos por T": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    logits_aluno = tf.cast(logits_aluno, tf.float32)
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits_aluno / temperatura, from_logits=True))
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) + (1 - alpha) * dura
''', ["teste_perda_total"]),
    "parte suave sempre à temperatura 1 (não passa a temperatura)": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32), from_logits=True))
    return alpha * perda_destilacao(logits_aluno, logits_professor, 1.0) + (1 - alpha) * dura
''', ["teste_perda_total"]),
    "entropia cruzada sem from_logits=True (logits tratados como probabilidades)": ("perda_total", '''
def perda_total(y, logits_aluno, logits_professor, alpha: float, temperatura: float):
    dura = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, tf.cast(logits_aluno, tf.float32)))
    return alpha * perda_destilacao(logits_aluno, logits_professor, temperatura) + (1 - alpha) * dura
''', ["teste_perda_total"]),
    "Destilador: professor treinável e gradiente em relação a todas as variáveis": (
        "Destilador", _destilador(congela="pass", variaveis="self.trainable_variables"),
        ["teste_destilador_professor_congelado"]),
    "Destilador: alpha e temperatura fixos (ignora os argumentos)": (
        "Destilador", _destilador(perda="perda_total(y, logits_aluno, logits_professor, 0.1, 3.0)"),
        ["teste_destilador_perda_desce"]),
    "Destilador: ignora o professor (só a entropia cruzada)": (
        "Destilador", _destilador(perda="perda_total(y, logits_aluno, logits_aluno, self.alpha, self.temperatura)"),
        ["teste_destilador_perda_desce"]),
    "Destilador do texto: não regista a perda (o fit não mostra 'loss')": (
        "Destilador", _destilador(regista="pass"),
        ["teste_destilador_perda_desce"]),
}

# O aluno «meio certo»: esquece o T² na perda suave e deixa o professor treinar; a perda total
# está certa.
MEIO_CERTO = {
    "perda_destilacao": "sem o fator T²",
    "Destilador": "Destilador: professor treinável e gradiente em relação a todas as variáveis",
}
