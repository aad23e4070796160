# Respostas de alunos imaginários ao caderno 08_paragem_e_checkpoints, para provar que a avaliação
# é justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos está o TopKCheckpoint do texto do módulo.
# O aluno «meio certo»: conta um empate como melhoria no EarlyStopping e esquece o modo no
# TopKCheckpoint; o resto está certo.


# %% certa epoca_de_paragem: epoca_de_paragem com np.less/np.greater e min_delta com sinal, como o tf_keras
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if not historico:
        raise ValueError("Histórico vazio.")
    if paciencia < 0:
        raise ValueError("Paciência negativa.")
    if modo == "min":
        compara, melhor, delta = np.less, np.inf, -abs(min_delta)
    elif modo == "max":
        compara, melhor, delta = np.greater, -np.inf, abs(min_delta)
    else:
        raise ValueError("Modo desconhecido: usa 'min' ou 'max'.")
    espera, melhor_epoca = 0, 0
    for epoca in range(len(historico)):
        espera += 1
        if compara(historico[epoca] - delta, melhor):
            melhor, melhor_epoca, espera = historico[epoca], epoca, 0
            continue
        if espera >= max(paciencia, 1):
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


# %% certa epoca_de_paragem: epoca_de_paragem que conduz o próprio EarlyStopping
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos: histórico vazio, paciência negativa ou modo desconhecido.")
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    cb = keras.callbacks.EarlyStopping(monitor="v", patience=paciencia, min_delta=min_delta, mode=modo,
                                       restore_best_weights=True)
    cb.set_model(modelo)
    modelo.stop_training = False
    cb.on_train_begin()
    corridas = len(historico)
    for epoca, valor in enumerate(historico):
        cb.on_epoch_end(epoca, {"v": valor})
        if modelo.stop_training:
            corridas = epoca + 1
            break
    return corridas, cb.best_epoch


# %% certa TopKCheckpoint: TopKCheckpoint que ordena com sorted e uma chave (valor, ordem de chegada)
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if modo not in {"max", "min"}:
            raise ValueError("modo tem de ser 'max' ou 'min'.")
        if k < 1:
            raise ValueError("k tem de ser ≥ 1.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        if self.monitor not in logs:
            warnings.warn(f"A métrica {self.monitor} não existe nesta época: nada foi guardado.")
            return
        valor = float(logs[self.monitor])
        sinal = -1.0 if self.modo == "max" else 1.0
        # (chave, ordem): num empate ganha quem já estava na lista (o novo tem a maior ordem).
        candidatos = sorted([(sinal * v, i, v, c) for i, (v, c) in enumerate(self.melhores)]
                            + [(sinal * valor, len(self.melhores), valor, None)])
        ficam, saem = candidatos[: self.k], candidatos[self.k:]
        if all(c is not None for *_, c in ficam):
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        for *_, c in saem:
            if c is not None and os.path.exists(c):
                os.remove(c)
        self.melhores = [(v, caminho if c is None else c) for _, _, v, c in ficam]


# %% certa TopKCheckpoint: TopKCheckpoint com heapq-like: insere, ordena de forma estável e corta
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Preciso de k ≥ 1 e modo 'max' ou 'min'.")
        self.caminho = caminho
        self.monitor = monitor
        self.k = k
        self.modo = modo
        self.melhores = []

    def _melhor_que(self, a, b):
        return a > b if self.modo == "max" else a < b

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        atual = logs.get(self.monitor)
        if atual is None:
            warnings.warn("TopKCheckpoint: falta a métrica " + self.monitor + "; continuo sem guardar.", UserWarning)
            return
        atual = float(atual)
        entra = len(self.melhores) < self.k or self._melhor_que(atual, self.melhores[-1][0])
        if not entra:
            return
        destino = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(destino)
        nova = self.melhores + [(atual, destino)]
        nova.sort(key=lambda par: -par[0] if self.modo == "max" else par[0])  # sort é estável
        for _, sai in nova[self.k:]:
            os.remove(sai)
        self.melhores = nova[: self.k]


# %% certa epoca_de_paragem: epoca_de_paragem como o caderno ensina (v + min_delta < melhor, sem abs)
# Issue 21: quem segue o caderno à letra (célula 4: «v + min_delta < melhor», sem abs) e escreve
# os modos em minúsculas estritas tem a nota toda (os testes não usam min_delta negativo nem
# «MAX»; o texto diz que maiúsculas não contam, e quem normaliza também tem a nota toda).
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + min_delta < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem restaura a época do mínimo (ignora min_delta na melhor época)
# falha: teste_epoca_de_paragem_casos
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0  # noqa: F841 (o erro: devolve o argmin e não a melhor época)
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, int(np.argmin([sinal * x for x in historico[:epoca + 1]]))
    return len(historico), int(np.argmin([sinal * x for x in historico]))


# %% errada epoca_de_paragem: epoca_de_paragem: um empate conta como melhoria
# falha: teste_epoca_de_paragem_casos
# aluno: meio_certo
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) <= melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem: para quando a espera passa a paciência (uma época tarde)
# falha: teste_epoca_de_paragem_basico
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera > paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem devolve a época de paragem (a contar de 0) em vez das épocas corridas
# falha: teste_epoca_de_paragem_basico
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca, melhor_epoca
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem ignora o modo (sempre 'min')
# falha: teste_epoca_de_paragem_casos
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem compara com a época anterior em vez do melhor valor
# falha: teste_epoca_de_paragem_basico
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca
        melhor = v
    return len(historico), melhor_epoca


# %% errada epoca_de_paragem: epoca_de_paragem com a melhor época a contar de 1
# falha: teste_epoca_de_paragem_basico
def epoca_de_paragem(historico: list[float], paciencia: int, min_delta: float = 0.0,
                     modo: str = "min") -> tuple[int, int]:
    if len(historico) == 0 or paciencia < 0 or modo not in ("min", "max"):
        raise ValueError("Argumentos inválidos.")
    sinal = 1.0 if modo == "min" else -1.0
    melhor, melhor_epoca, espera = float("inf"), 0, 0
    for epoca, valor in enumerate(historico):
        espera += 1
        v = sinal * valor
        if v + abs(min_delta) < melhor:
            melhor, melhor_epoca, espera = v, epoca, 0
        elif espera >= paciencia and epoca > 0:
            return epoca + 1, melhor_epoca + 1
    return len(historico), melhor_epoca + 1


# %% errada TopKCheckpoint: TopKCheckpoint do texto (sempre maior é melhor, guarda tudo, época a contar de 0, rebenta sem a métrica)
# falha: teste_topk_guiado, teste_topk_no_fit, teste_topk_metrica_em_falta
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        self.filepath = caminho
        self.monitor = monitor
        self.k = k
        self.best_models = []  # (score, filepath)
        self.melhores = self.best_models

    def on_epoch_end(self, epoch, logs=None):
        current = logs.get(self.monitor)
        filepath = self.filepath.format(epoch=epoch, **logs)

        # Guardar modelo
        self.model.save(filepath)

        # Adicionar à lista
        self.best_models.append((current, filepath))
        self.best_models.sort(reverse=True, key=lambda x: x[0])

        # Manter apenas top-k
        if len(self.best_models) > self.k:
            _, to_delete = self.best_models.pop()
            if os.path.exists(to_delete):
                os.remove(to_delete)
                print(f"\n🗑️  Removido: {to_delete}")


# %% errada TopKCheckpoint: TopKCheckpoint ignora o modo (sempre maior é melhor)
# falha: teste_topk_guiado, teste_topk_no_fit
# aluno: meio_certo
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = True
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint com a época a contar de 0 no nome
# falha: teste_topk_guiado, teste_topk_no_fit
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint que guarda todos os modelos e só depois apaga o que sai
# falha: teste_topk_guiado
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint: num empate fica o mais recente
# falha: teste_topk_guiado
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor >= outro) if maior else (valor <= outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint que não apaga o ficheiro que sai
# falha: teste_topk_guiado, teste_topk_no_fit
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()


# %% errada TopKCheckpoint: TopKCheckpoint que ordena melhores por valor crescente (em 'max', o pior primeiro)
# falha: teste_topk_guiado
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)
        self.melhores.sort(key=lambda par: par[0])


# %% errada TopKCheckpoint: TopKCheckpoint que levanta um erro quando falta a métrica
# falha: teste_topk_metrica_em_falta
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            raise KeyError(f"Falta a métrica {self.monitor}.")
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint que não avisa quando falta a métrica
# falha: teste_topk_metrica_em_falta
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        if k < 1 or modo not in ("max", "min"):
            raise ValueError("Argumentos inválidos.")
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)


# %% errada TopKCheckpoint: TopKCheckpoint que não valida k nem o modo
# falha: teste_topk_metrica_em_falta
class TopKCheckpoint(keras.callbacks.Callback):
    def __init__(self, caminho: str, monitor: str = "val_accuracy", k: int = 3, modo: str = "max"):
        super().__init__()
        self.caminho, self.monitor, self.k, self.modo = caminho, monitor, k, modo
        self.melhores = []

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        valor = logs.get(self.monitor)
        if valor is None:
            warnings.warn("Falta a métrica: não guardei nada.")
            return
        valor = float(valor)
        maior = self.modo == "max"
        pos = len(self.melhores)
        for i, (outro, _) in enumerate(self.melhores):
            if (valor > outro) if maior else (valor < outro):
                pos = i
                break
        if pos >= self.k:
            return
        caminho = self.caminho.format(epoch=epoch + 1, **logs)
        self.model.save(caminho)
        self.melhores.insert(pos, (valor, caminho))
        while len(self.melhores) > self.k:
            _, sai = self.melhores.pop()
            if os.path.exists(sai):
                os.remove(sai)
