# Respostas de alunos imaginários ao caderno 07_taxa_de_aprendizagem, para provar que a avaliação
# é justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos está o código do texto do módulo.
# O aluno «meio certo»: a taxa volta a subir depois de total_steps e o cooldown silencia uma época
# a mais; o resto está certo.


# %% certa WarmUpCosineDecay: WarmUpCosineDecay com tf.cond, tf.minimum e contas em float64
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


# %% certa WarmUpCosineDecay: WarmUpCosineDecay que delega no CosineDecay do Keras
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


# %% certa simular_reduce_on_plateau: simular_reduce_on_plateau com contadores à parte e taxa em float32 (como o callback)
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


# %% certa simular_reduce_on_plateau: simular_reduce_on_plateau que conduz o próprio ReduceLROnPlateau
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


# %% errada WarmUpCosineDecay: WarmUpCosineDecay do texto (if de Python, sem cast, sem get_config, sem limite)
# falha: teste_warmup_cosine_valores, teste_warmup_cosine_grafo, teste_warmup_cosine_fit_e_guardar
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


# %% errada WarmUpCosineDecay: WarmUpCosineDecay com tf.cast, limite e get_config, mas ainda com o if de Python
# falha: teste_warmup_cosine_grafo, teste_warmup_cosine_fit_e_guardar
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


# %% errada WarmUpCosineDecay: WarmUpCosineDecay sem limitar o progresso (volta a subir depois de total_steps)
# falha: teste_warmup_cosine_valores, teste_warmup_cosine_fit_e_guardar
# aluno: meio_certo
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
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.maximum((passo - w) / (t - w), 0.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada WarmUpCosineDecay: WarmUpCosineDecay sem get_config
# falha: teste_warmup_cosine_fit_e_guardar
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
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)


# %% errada WarmUpCosineDecay: WarmUpCosineDecay em float64 (devolve float64)
# falha: teste_warmup_cosine_grafo
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
        passo = tf.cast(step, tf.float64)
        w = tf.cast(self.warmup_steps, tf.float64)
        t = tf.cast(self.total_steps, tf.float64)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada WarmUpCosineDecay: WarmUpCosineDecay com o aquecimento a partir de passo + 1
# falha: teste_warmup_cosine_valores
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
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * (passo + 1.0) / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada WarmUpCosineDecay: WarmUpCosineDecay que desce até 0 em vez de target_lr
# falha: teste_warmup_cosine_valores
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
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)
        descida = self.initial_lr * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada WarmUpCosineDecay: WarmUpCosineDecay com o progresso sobre total_steps (em vez de total_steps − warmup_steps)
# falha: teste_warmup_cosine_valores
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
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / t, 0.0, 1.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada WarmUpCosineDecay: WarmUpCosineDecay que não valida os argumentos
# falha: teste_warmup_cosine_grafo
class WarmUpCosineDecay(keras.optimizers.schedules.LearningRateSchedule):
    def __init__(self, warmup_steps: int, total_steps: int, initial_lr: float, target_lr: float):
        super().__init__()
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.initial_lr = initial_lr
        self.target_lr = target_lr

    def __call__(self, step):
        passo = tf.cast(step, tf.float32)
        w = tf.cast(self.warmup_steps, tf.float32)
        t = tf.cast(self.total_steps, tf.float32)
        subida = self.initial_lr * passo / tf.maximum(w, 1.0)
        p = tf.clip_by_value((passo - w) / (t - w), 0.0, 1.0)
        descida = self.target_lr + (self.initial_lr - self.target_lr) * 0.5 * (1.0 + tf.cos(np.pi * p))
        return tf.where(passo < w, subida, descida)

    def get_config(self):
        return {"warmup_steps": self.warmup_steps, "total_steps": self.total_steps,
                "initial_lr": self.initial_lr, "target_lr": self.target_lr}


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: a redução vale já na própria época
# falha: teste_simular_plateau_basico
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
        taxas.append(lr)
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: ignora min_delta
# falha: teste_simular_plateau_basico, teste_simular_plateau_casos
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: um empate conta como melhoria
# falha: teste_simular_plateau_casos
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor <= melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: o cooldown silencia c épocas (e não c − 1)
# falha: teste_simular_plateau_casos
# aluno: meio_certo
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown + 1
                espera = 0
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: a espera não volta a 0 depois de reduzir
# falha: teste_simular_plateau_basico
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: sem min_lr
# falha: teste_simular_plateau_casos
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = lr * factor
                arrefecimento = cooldown
                espera = 0
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: espera > patience (uma época tarde)
# falha: teste_simular_plateau_basico
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera > patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
    return taxas


# %% errada simular_reduce_on_plateau: ReduceLROnPlateau: compara com a época anterior em vez do melhor valor
# falha: teste_simular_plateau_basico
def simular_reduce_on_plateau(historico_val_loss: list[float], lr_inicial: float, factor: float = 0.5,
                              patience: int = 3, min_lr: float = 1e-7, min_delta: float = 1e-4,
                              cooldown: int = 0) -> list[float]:
    if not 0 < factor < 1 or patience < 0:
        raise ValueError("Argumentos inválidos.")
    lr, melhor, espera, arrefecimento, taxas = lr_inicial, float("inf"), 0, 0, []
    for valor in historico_val_loss:
        taxas.append(lr)
        if arrefecimento > 0:
            arrefecimento -= 1
            espera = 0
        if valor < melhor - min_delta:
            melhor = valor
            espera = 0
        elif arrefecimento == 0:
            espera += 1
            if espera >= patience and lr > min_lr:
                lr = max(lr * factor, min_lr)
                arrefecimento = cooldown
                espera = 0
        melhor = valor
    return taxas
