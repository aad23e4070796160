"""Respostas de alunos imaginários ao caderno 07_taxa_de_aprendizagem, para provar que a
avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles o código do texto do módulo); cada um tem de falhar pelo
menos as células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "WarmUpCosineDecay com tf.cond, tf.minimum e contas em float64": ("WarmUpCosineDecay", '''
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        if warmup_steps < 0 or total_steps <= warmup_steps:
            raise ValueError("Passos inválidos: preciso de 0 ≤ warmup_steps < total_steps.")
        if min(initial_lr, target_lr) < 0:
            raise ValueError("As taxas não podem ser negativas.")
        self.warmup_steps, self.total_steps = int(warmup_steps), int(total_steps)
        self.initial_lr, self.target_lr = float(initial_lr), float(target_lr)

    def __call__(self, step):
        s = tf.cast(step, tf.float64)
        w = tf.constant(self.warmup_steps, tf.float64)
        t = tf.constant(self.total_steps, tf.float64)

        def subir():
            return self.initial_lr * s / w

        def descer():
            p = tf.minimum(tf.maximum((s - w) / (t - w), 0.0), 1.0)
            return self.target_lr + (self.initial_lr - self.target_lr) * (1.0 + tf.cos(np.pi * p)) / 2.0

        return tf.cast(tf.cond(s < w, subir, descer), tf.float32)

    def get_config(self):
        return dict(warmup_steps=self.warmup_steps, total_steps=self.total_steps,
                    initial_lr=self.initial_lr, target_lr=self.target_lr)
'''),
    "WarmUpCosineDecay que delega no CosineDecay do Keras": ("WarmUpCosineDecay", '''
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        if warmup_steps < 0:
            raise ValueError("warmup_steps não pode ser negativo.")
        if total_steps <= warmup_steps:
            raise ValueError("total_steps tem de ser maior do que warmup_steps.")
        if initial_lr < 0 or target_lr < 0:
            raise ValueError("Taxa negativa.")
        self.config = {"warmup_steps": warmup_steps, "total_steps": total_steps,
                       "initial_lr": initial_lr, "target_lr": target_lr}
        self.cosseno = keras.optimizers.schedules.CosineDecay(
            0.0, total_steps - warmup_steps, alpha=target_lr / initial_lr if initial_lr else 0.0,
            warmup_target=initial_lr, warmup_steps=warmup_steps)

    def __call__(self, step):
        return tf.cast(self.cosseno(step), tf.float32)

    def get_config(self):
        return dict(self.config)
'''),
    "simular_reduce_on_plateau com contadores à parte e taxa em float32 (como o callback)": ("simular_reduce_on_plateau", '''
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if factor <= 0 or factor >= 1:
        raise ValueError("O factor tem de estar entre 0 e 1.")
    if patience < 0:
        raise ValueError("A patience não pode ser negativa.")
    taxa = np.float32(lr_inicial)
    melhor = float("inf")
    sem_melhorar = 0
    silencio = 0
    saida = []
    for v in historico_val_loss:
        saida.append(float(taxa))  # em float32, como o callback: 0.1 → 0.10000000149011612
        if silencio:
            silencio -= 1
            sem_melhorar = 0
        if np.less(v, melhor - min_delta):
            melhor, sem_melhorar = v, 0
            continue
        if silencio > 0:
            continue
        sem_melhorar += 1
        if sem_melhorar >= patience and taxa > np.float32(min_lr):
            taxa = np.float32(max(taxa * factor, min_lr))
            silencio, sem_melhorar = cooldown, 0
    return saida
'''),
    "simular_reduce_on_plateau que conduz o próprio ReduceLROnPlateau": ("simular_reduce_on_plateau", '''
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("factor tem de estar em (0, 1) e patience ≥ 0.")
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    modelo.compile(optimizer=keras.optimizers.SGD(lr_inicial), loss="mse")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", factor=factor, patience=patience,
                                           min_lr=min_lr, min_delta=min_delta, cooldown=cooldown)
    cb.set_model(modelo)
    cb.on_train_begin()
    taxas = []
    for epoca, valor in enumerate(historico_val_loss):
        taxas.append(float(modelo.optimizer.learning_rate))  # a variável float32 do otimizador
        cb.on_epoch_end(epoca, {"val_loss": valor})
    return taxas
'''),
}

# --------------------------------------------------------------------------- erros típicos
_WARMUP = '''
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        {VALIDA}
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.initial_lr = initial_lr
        self.target_lr = target_lr

    def __call__(self, step):
        passo = tf.cast(step, {TIPO})
        w = tf.cast(self.warmup_steps, {TIPO})
        t = tf.cast(self.total_steps, {TIPO})
        subida = self.initial_lr * {SUBIDA} / tf.maximum(w, 1.0)
        p = {PROGRESSO}
        descida = {DESCIDA}
        return tf.where(passo < w, subida, descida)
{GET_CONFIG}
'''
_VALIDA = '''if warmup_steps < 0 or total_steps <= warmup_steps or initial_lr < 0 or target_lr < 0:
            raise ValueError("Argumentos inválidos.")'''
_GET_CONFIG = '''
    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}
'''


def _warmup(valida=_VALIDA, tipo="tf.float32", subida="passo",
            progresso="tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)",
            descida="self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))",
            get_config=_GET_CONFIG):
    return _WARMUP.format(VALIDA=valida, TIPO=tipo, SUBIDA=subida, PROGRESSO=progresso, DESCIDA=descida,
                          GET_CONFIG=get_config)


_PLATEAU = '''
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        {ANTES}
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if {MELHORIA}:
            melhor = valor
            espera = 0
        elif {FORA_DO_ARREFECIMENTO}:
            espera += 1
            if {ESPERA_CHEGA} and lr > min_lr:
                lr = {NOVA_TAXA}
                arrefecimento = {COOLDOWN}
                {ZERA}
        {DEPOIS}
    return taxas
'''


def _plateau(antes="taxas.append(lr)", depois="pass", melhoria="valor < melhor - min_delta",
             fora="arrefecimento == 0", espera_chega="espera >= patience", nova="max(lr * factor, min_lr)",
             cooldown="cooldown", zera="espera = 0"):
    return _PLATEAU.format(ANTES=antes, DEPOIS=depois, MELHORIA=melhoria, FORA_DO_ARREFECIMENTO=fora,
                           ESPERA_CHEGA=espera_chega, NOVA_TAXA=nova, COOLDOWN=cooldown, ZERA=zera)


_TESTES_WARMUP = ["teste_warmup_cosine_valores", "teste_warmup_cosine_grafo", "teste_warmup_cosine_fit_e_guardar"]

# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "WarmUpCosineDecay do texto (if de Python, sem cast, sem get_config, sem limite)": ("WarmUpCosineDecay", '''
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.initial_lr = initial_lr
        self.target_lr = target_lr

    def __call__(self, step):
        if step < self.warmup_steps:
            return (step / self.warmup_steps) * self.initial_lr
        else:
            progress = (step - self.warmup_steps) / (self.total_steps - self.warmup_steps)
            cosine_decay = 0.5 * (1 + tf.cos(tf.constant(3.14159) * progress))
            return self.target_lr + (self.initial_lr - self.target_lr) * cosine_decay
''', _TESTES_WARMUP),
    "WarmUpCosineDecay com tf.cast, limite e get_config, mas ainda com o if de Python": ("WarmUpCosineDecay", '''
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        if warmup_steps < 0 or total_steps <= warmup_steps or initial_lr < 0 or target_lr < 0:
            raise ValueError("Argumentos inválidos.")
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.initial_lr = initial_lr
        self.target_lr = target_lr

    def __call__(self, step):
        passo = tf.cast(step, tf.float32)
        if passo < self.warmup_steps:
            return self.initial_lr * passo / self.warmup_steps
        p = tf.clip_by_value((passo - self.warmup_steps) / (self.total_steps - self.warmup_steps), 0.0, 1.0)
        return self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}
''', ["teste_warmup_cosine_grafo", "teste_warmup_cosine_fit_e_guardar"]),
    "WarmUpCosineDecay sem limitar o progresso (volta a subir depois de total_steps)": (
        "WarmUpCosineDecay", _warmup(progresso="tf.maximum((passo - w) / (t - w), 0.0)"),
        ["teste_warmup_cosine_valores", "teste_warmup_cosine_fit_e_guardar"]),
    "WarmUpCosineDecay sem get_config": (
        "WarmUpCosineDecay", _warmup(get_config=""), ["teste_warmup_cosine_fit_e_guardar"]),
    "WarmUpCosineDecay em float64 (devolve float64)": (
        "WarmUpCosineDecay", _warmup(tipo="tf.float64"), ["teste_warmup_cosine_grafo"]),
    "WarmUpCosineDecay com o aquecimento a partir de passo + 1": (
        "WarmUpCosineDecay", _warmup(subida="(passo + 1.0)"), ["teste_warmup_cosine_valores"]),
    "WarmUpCosineDecay que desce até 0 em vez de target_lr": (
        "WarmUpCosineDecay", _warmup(descida="self.initial_lr * 0.5 * (1.0 + tf.cos(np.pi * p))"),
        ["teste_warmup_cosine_valores"]),
    "WarmUpCosineDecay com o progresso sobre total_steps (em vez de total_steps − warmup_steps)": (
        "WarmUpCosineDecay", _warmup(progresso="tf.clip_by_value((passo - w) / t, 0.0, 1.0)"),
        ["teste_warmup_cosine_valores"]),
    "WarmUpCosineDecay que não valida os argumentos": (
        "WarmUpCosineDecay", _warmup(valida="pass"), ["teste_warmup_cosine_grafo"]),
    "ReduceLROnPlateau: a redução vale já na própria época": (
        "simular_reduce_on_plateau", _plateau(antes="pass", depois="taxas.append(lr)"),
        ["teste_simular_plateau_basico"]),
    "ReduceLROnPlateau: ignora min_delta": (
        "simular_reduce_on_plateau", _plateau(melhoria="valor < melhor"),
        ["teste_simular_plateau_basico", "teste_simular_plateau_casos"]),
    "ReduceLROnPlateau: um empate conta como melhoria": (
        "simular_reduce_on_plateau", _plateau(melhoria="valor <= melhor - min_delta"),
        ["teste_simular_plateau_casos"]),
    "ReduceLROnPlateau: o cooldown silencia c épocas (e não c − 1)": (
        "simular_reduce_on_plateau", _plateau(cooldown="cooldown + 1"), ["teste_simular_plateau_casos"]),
    "ReduceLROnPlateau: a espera não volta a 0 depois de reduzir": (
        "simular_reduce_on_plateau", _plateau(zera="pass"), ["teste_simular_plateau_basico"]),
    "ReduceLROnPlateau: sem min_lr": (
        "simular_reduce_on_plateau", _plateau(nova="lr * factor"), ["teste_simular_plateau_casos"]),
    "ReduceLROnPlateau: espera > patience (uma época tarde)": (
        "simular_reduce_on_plateau", _plateau(espera_chega="espera > patience"), ["teste_simular_plateau_basico"]),
    "ReduceLROnPlateau: compara com a época anterior em vez do melhor valor": (
        "simular_reduce_on_plateau",
        _plateau(melhoria="valor < melhor - min_delta", depois="melhor = valor"),
        ["teste_simular_plateau_basico"]),
}

# O aluno «meio certo»: a taxa volta a subir depois de total_steps e o cooldown silencia uma
# época a mais; o resto está certo.
MEIO_CERTO = {
    "WarmUpCosineDecay": "WarmUpCosineDecay sem limitar o progresso (volta a subir depois de total_steps)",
    "simular_reduce_on_plateau": "ReduceLROnPlateau: o cooldown silencia c épocas (e não c − 1)",
}
