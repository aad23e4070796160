# Testes ocultos do caderno 08_paragem_e_checkpoints.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno), depois dos testes visíveis: usam os nomes definidos lá (np, keras, d, criar_modelo,
# cenarios, levanta, LOTE, e as variáveis da parte visível da mesma célula). Os cenários de
# otimizacao.cenarios correm o TopKCheckpoint do aluno no kernel dele e só contam o que aconteceu
# (ficheiros escritos e no disco, melhores, avisos, histórico do fit); o que se espera fica aqui.
# Os valores esperados de epoca_de_paragem vêm do EarlyStopping verdadeiro do tf_keras,
# conduzido pelos mesmos históricos: o peso do modelo guarda o número da época, por isso o peso
# restaurado no fim diz que época foi restaurada. Nunca de solutions/.

# %% teste_epoca_de_paragem_basico
def _paragem_real(historico, paciencia, min_delta=0.0, modo="min"):
    """(épocas corridas, época restaurada) com o EarlyStopping verdadeiro do tf_keras."""
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=paciencia, min_delta=min_delta,
                                       mode=modo, restore_best_weights=True)
    cb.set_model(modelo)
    modelo.stop_training = False
    cb.on_train_begin()
    corridas = 0
    for epoca, valor in enumerate(historico):
        modelo.set_weights([np.array([[float(epoca)]], np.float32)])
        corridas = epoca + 1
        cb.on_epoch_end(epoca, {"val_loss": valor})
        if modelo.stop_training:
            break
    cb.on_train_end()
    return corridas, int(round(float(modelo.get_weights()[0][0, 0])))


# Curvas com subidas e descidas, várias paciências (a melhoria conta em relação ao MELHOR valor).
_casos = [
    ([2.0, 1.5, 1.6, 1.4, 1.45, 1.42, 1.41, 1.3, 1.35, 1.36, 1.37, 1.38], 3, 0.0, "min"),
    ([1.0, 0.5, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52, 0.51], 2, 0.0, "min"),
    (list(np.round(1.0 / np.arange(1, 21) + 0.04 * np.sin(np.arange(20)), 4)), 2, 0.0, "min"),
    ([0.9], 3, 0.0, "min"),
    ([0.5, 0.4, 0.3], 0, 0.0, "min"),
]
for _h, _p, _md, _modo in _casos:
    _esperado = _paragem_real(_h, _p, _md, _modo)
    _r = epoca_de_paragem(_h, _p, _md, _modo)
    assert tuple(_r) == _esperado, f"Com o histórico {_h}, paciência {_p}, min_delta {_md} e modo {_modo!r}, o EarlyStopping corre {_esperado[0]} épocas e restaura a época {_esperado[1]}; a tua função deu {_r}."

# %% teste_epoca_de_paragem_casos
def _paragem_real(historico, paciencia, min_delta=0.0, modo="min"):
    """(épocas corridas, época restaurada) com o EarlyStopping verdadeiro do tf_keras."""
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=paciencia, min_delta=min_delta,
                                       mode=modo, restore_best_weights=True)
    cb.set_model(modelo)
    modelo.stop_training = False
    cb.on_train_begin()
    corridas = 0
    for epoca, valor in enumerate(historico):
        modelo.set_weights([np.array([[float(epoca)]], np.float32)])
        corridas = epoca + 1
        cb.on_epoch_end(epoca, {"val_loss": valor})
        if modelo.stop_training:
            break
    cb.on_train_end()
    return corridas, int(round(float(modelo.get_weights()[0][0, 0])))


_casos = [
    # empates em "min" e em "max"
    ([1.0, 0.7, 0.7, 0.69, 0.7, 0.7], 2, 0.0, "min"),
    ([0.8, 0.9, 0.9, 0.9, 0.95], 2, 0.0, "max"),
    # melhorias menores do que min_delta não contam (nem para a época restaurada, nem para a espera)
    ([1.0, 0.9, 0.895, 0.89, 0.886, 0.85, 0.849, 0.848, 0.847], 3, 0.01, "min"),
    ([0.5, 0.6, 0.605, 0.61, 0.615, 0.62, 0.7], 3, 0.01, "max"),
    # paciência 0 e 1 (iguais) e 4; modo "max" com paciência 0
    ([1.0, 1.1, 0.9, 0.95, 0.8], 0, 0.0, "min"),
    ([1.0, 0.9, 0.95, 0.8, 0.85, 0.86, 0.87, 0.88, 0.7], 4, 0.0, "min"),
    ([0.1, 0.3, 0.2, 0.5], 0, 0.0, "max"),
    # "max" numa curva de exatidão que nunca para
    ([0.5, 0.6, 0.58, 0.7, 0.69, 0.8], 2, 0.0, "max"),
]
for _h, _p, _md, _modo in _casos:
    _esperado = _paragem_real(_h, _p, _md, _modo)
    _r = epoca_de_paragem(_h, _p, _md, _modo)
    assert tuple(_r) == _esperado, f"Com o histórico {_h}, paciência {_p}, min_delta {_md} e modo {_modo!r}, o EarlyStopping corre {_esperado[0]} épocas e restaura a época {_esperado[1]}; a tua função deu {_r}."
assert levanta(ValueError, epoca_de_paragem, [0.5], 1, 0.0, "maximo"), "Um modo desconhecido tem de dar ValueError."

# %% teste_topk_guiado
# Modo "max", k = 3, com empates e uma época que não entra; o ficheiro que sai é apagado logo.
_valores = [0.6, 0.6, 0.5, 0.6, 0.7, 0.4, 0.65, 0.6]
_r = cenarios.conduzir_callback(TopKCheckpoint, "x{epoch}.keras", _valores, monitor="val_acc",
                                logs_extra={"loss": 0.3}, k=3, modo="max")
_depois = _r["no_disco_por_epoca"]
assert _depois[3] == ["x1.keras", "x2.keras", "x4.keras"], f"Depois da época 4 (valores 0.6, 0.6, 0.5, 0.6; k = 3) devem estar no disco x1, x2 e x4 (o 0.5 sai); estão {_depois[3]}."
assert _depois[4] == ["x1.keras", "x2.keras", "x5.keras"], f"Depois da época 5 (0.7) sai o 0.6 mais recente (x4): devem ficar x1, x2 e x5; estão {_depois[4]}."
assert _depois[-1] == ["x1.keras", "x5.keras", "x7.keras"], f"No fim devem estar x5 (0.7), x7 (0.65) e x1 (0.6: com a época 7 sai o 0.6 mais recente, x2); estão {_depois[-1]}."
assert _r["escritos"] == ["x1.keras", "x2.keras", "x3.keras", "x4.keras", "x5.keras", "x7.keras"], f"Só se escrevem os modelos que entram nos k melhores: esperava x1, x2, x3, x4, x5, x7; foram escritos {_r['escritos']}."
assert [(v, c) for v, c in _r["melhores"]] == [(0.7, "x5.keras"), (0.65, "x7.keras"), (0.6, "x1.keras")], f"melhores deve ser [(0.7, x5), (0.65, x7), (0.6, x1)]; é {_r['melhores']}."
# k = 1 em modo "min": fica só o melhor, e os valores iguais não o substituem.
_r = cenarios.conduzir_callback(TopKCheckpoint, "y{epoch:03d}_{loss:.2f}.keras", [0.5, 0.3, 0.3, 0.4, 0.2],
                                monitor="loss", k=1, modo="min")
assert _r["no_disco"] == ["y005_0.20.keras"], f"Com k = 1 em modo 'min' fica só o menor (época 5, 0.2), com o nome formatado com os logs; ficou {_r['no_disco']}."
assert _r["escritos"] == ["y001_0.50.keras", "y002_0.30.keras", "y005_0.20.keras"], f"Com k = 1 só se escrevem as melhorias estritas; foram escritos {_r['escritos']}."
assert _r["melhores"] == [(0.2, "y005_0.20.keras")], f"melhores deve ser [(0.2, …y005_0.20.keras)]; é {_r['melhores']}."

# %% teste_topk_no_fit
# Modo "max" com val_accuracy num fit a sério, k = 3, 5 épocas (empates na exatidão são
# frequentes: ficam as épocas mais antigas).
_r = cenarios.treinar_com_callback(TopKCheckpoint, "a{epoch:02d}.keras", criar_modelo(2), d.x_treino, d.y_treino,
                                   validation_data=(d.x_val, d.y_val), epochs=5, batch_size=LOTE,
                                   monitor="val_accuracy", k=3, modo="max")
assert _r["erro"] is None, f"O fit com o teu TopKCheckpoint (monitor='val_accuracy', modo 'max') rebentou ({_r['erro']})."
_h = _r["historico"]
_ordem = sorted(range(5), key=lambda e: (-_h["val_accuracy"][e], e))[:3]
_esperados = [f"a{e + 1:02d}.keras" for e in _ordem]
assert _r["no_disco"] == sorted(_esperados), f"Com val_accuracy {[round(v, 4) for v in _h['val_accuracy']]} e k = 3 deviam ficar {sorted(_esperados)} (num empate fica a época mais antiga); ficaram {_r['no_disco']}."
assert [c for _, c in _r["melhores"]] == _esperados, f"melhores deve listar {_esperados}, o melhor primeiro; tem {[c for _, c in _r['melhores']]}."
# Uma instância nova num segundo fit não mistura nada com o primeiro (pasta própria).
_r = cenarios.treinar_com_callback(TopKCheckpoint, "b{epoch}.keras", criar_modelo(3), d.x_treino[:256], d.y_treino[:256],
                                   validation_data=(d.x_val, d.y_val), epochs=3, batch_size=LOTE,
                                   monitor="val_loss", k=5, modo="min")
assert _r["no_disco"] == ["b1.keras", "b2.keras", "b3.keras"], f"Com k = 5 e 3 épocas, ficam os 3 modelos; ficaram {_r['no_disco']}."

# %% teste_topk_metrica_em_falta
# A métrica em falta só em algumas épocas (None: val_loss não está nos logs dessa época): essas
# são ignoradas (com aviso), as outras contam.
_r = cenarios.conduzir_callback(TopKCheckpoint, "m{epoch}.keras", [None, 0.8, None, None, 0.6], monitor="val_loss",
                                logs_extra=[{"loss": 1.0}, {"loss": 0.9}, {"loss": 0.8},
                                            {"loss": 0.75, "val_accuracy": 0.9}, {"loss": 0.7}],
                                k=2, modo="min")
assert len(_r["avisos"]) >= 3, f"Nas 3 épocas sem val_loss devia haver um aviso em cada; houve {len(_r['avisos'])}."
assert _r["no_disco"] == ["m2.keras", "m5.keras"], f"As épocas com val_loss (2 e 5) contam normalmente; no disco estão {_r['no_disco']}."
assert levanta(ValueError, TopKCheckpoint, "m.keras", "val_loss", -1, "min"), "k negativo tem de dar ValueError."

# %% contexto
# O juiz (autograder/juiz.py) corre aqui todos os testes. Os de epoca_de_paragem comparam com o
# EarlyStopping verdadeiro, que corre neste processo; o básico compara com o treino da secção 1
# do caderno: do kernel lê-se só a curva de validação (curva), e o que o EarlyStopping verdadeiro
# faz com ela (épocas corridas, melhor época) calcula-se aqui. Os do TopKCheckpoint usam-no dentro
# de um fit e de uma pasta: os cenários de otimizacao.cenarios (no_kernel) correm-no no kernel do
# aluno, onde os ficheiros são escritos, e devolvem só o que aconteceu; os modelos dos fits
# (criar_modelo, o mesmo do caderno) criam-se aqui e vão como dados (configuração e pesos), com
# a semente de criar_modelo a valer também para o fit no kernel.
import tf_keras as keras

from otimizacao import dados, modelos

DO_KERNEL = ("curva",)
d = dados.carregar_dados("digits")
TAXA, LOTE = 1e-2, 64
cenarios = no_kernel("otimizacao.cenarios")


def criar_modelo(semente: int = 0):
    """O modelo do caderno: Flatten → Dense(32, relu) → Dense(10) (logits), compilado com Adam(1e-2),
    sem treino."""
    modelos.fixar_sementes(semente)
    modelo = keras.Sequential([
        keras.layers.Input(shape=d.forma_entrada),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(d.num_classes),
    ], name="pequeno")
    return modelos.compilar(modelo, taxa=TAXA)


def depois_do_caderno():
    """corridas, restaurada: o EarlyStopping da secção 1 (patience=4, min_delta=0.01) na curva do caderno."""
    global corridas, restaurada
    try:
        modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False)])
        cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=4, min_delta=0.01, restore_best_weights=True)
        cb.set_model(modelo)
        modelo.stop_training = False
        cb.on_train_begin()
        corridas = None
        for epoca, valor in enumerate(curva):
            corridas = epoca + 1
            cb.on_epoch_end(epoca, {"val_loss": float(valor)})
            if modelo.stop_training:
                break
        restaurada = int(cb.best_epoch)
    except Exception:  # noqa: BLE001 (a curva do caderno não é uma lista de números: o teste falha)
        corridas = restaurada = None
