# Testes ocultos do caderno 07_taxa_de_aprendizagem.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, tf, keras, d, modelos,
# criar_modelo, referencia_cosseno, levanta, tempfile, os).
# Os valores esperados vêm do próprio tf_keras (o CosineDecay com aquecimento e o
# ReduceLROnPlateau verdadeiro, conduzido pelos mesmos históricos), nunca de solutions/.
# Tolerância da taxa (docs/contrato.md#07_taxa_de_aprendizagem): |lr − ref| ≤ 1e-6·|ref| + 1e-6·initial_lr (a referência
# float32 da biblioteca tem um erro próprio de ~1e-7·initial_lr).

# %% teste_warmup_cosine_valores
# Os valores do texto (1000, 10 000, 1e-3, 1e-6), sem aquecimento, um só passo de descida e
# uma descida até 0; passos 0, à volta de warmup_steps e de total_steps e muito depois.
for _w, _t, _i, _f in ((1000, 10_000, 1e-3, 1e-6), (0, 50, 3e-3, 0.0), (7, 8, 1.0, 0.5), (3, 40, 0.5, 0.0)):
    _s = WarmUpCosineDecay(_w, _t, _i, _f)
    _ref = referencia_cosseno(_w, _t, _i, _f)
    for _p in sorted({0, 1, max(_w - 1, 0), _w, _w + 1, (_w + _t) // 2, _t - 1, _t, _t + 1, 2 * _t, 100 * _t}):
        _v, _r = float(_s(_p)), float(_ref(_p))
        assert abs(_v - _r) <= 1e-6 * abs(_r) + 1e-6 * _i, f"WarmUpCosineDecay({_w}, {_t}, {_i}, {_f}) no passo {_p}: a tua taxa é {_v:.6e}, a do CosineDecay do Keras é {_r:.6e}."
# Sem aquecimento, a descida começa logo no passo 0 em initial_lr (e não há divisão por zero).
_v = float(WarmUpCosineDecay(0, 50, 3e-3, 0.0)(0))
assert np.isfinite(_v) and abs(_v - 3e-3) < 1e-9, f"Com warmup_steps = 0 a taxa no passo 0 é initial_lr (3e-3); deu {_v}."
# Muito depois do fim fica exatamente em target_lr, também com passos decimais.
_v = float(WarmUpCosineDecay(10, 20, 1e-2, 2e-3)(1e6 + 0.5))
assert abs(_v - 2e-3) < 1e-9, f"Depois de total_steps a taxa fica em target_lr (2e-3); no passo 1000000.5 deu {_v:.4e}."

# %% teste_warmup_cosine_grafo
# Em grafo, com o tipo do optimizer.iterations (int64), nos passos que separam as fases.
_s = WarmUpCosineDecay(20, 120, 5e-2, 1e-4)
_ref = referencia_cosseno(20, 120, 5e-2, 1e-4)
_g = tf.function(_s, autograph=False)
for _p in (0, 19, 20, 21, 70, 119, 120, 121, 1000):
    _v = _g(tf.constant(_p, tf.int64))
    assert _v.dtype == tf.float32, f"Em grafo a taxa tem de ser float32; veio {_v.dtype}."
    _r = float(_ref(_p))
    assert abs(float(_v) - _r) <= 1e-6 * _r + 1e-6 * 5e-2, f"Em tf.function(autograph=False), no passo {_p}: deu {float(_v):.6e}, esperava {_r:.6e}."
# Um passo guardado numa variável (como optimizer.iterations) e um passo float32, em grafo.
_it = tf.Variable(70, dtype=tf.int64)
assert abs(float(_g(_it)) - float(_ref(70))) <= 1e-6 * float(_ref(70)) + 5e-8, "Com o passo numa tf.Variable int64 (como optimizer.iterations) a taxa deve ser a mesma."
assert abs(float(_g(tf.constant(70.0))) - float(_ref(70))) <= 1e-6 * float(_ref(70)) + 5e-8, "Com um passo float32 em grafo a taxa deve ser a mesma."
assert abs(float(_s(np.int64(20))) - 5e-2) < 1e-8, "Com um passo np.int64 (20 = fim do aquecimento) a taxa é initial_lr."
# Argumentos inválidos (e os válidos no limite: warmup_steps = 0, target_lr = 0, total_steps = warmup_steps + 1).
assert levanta(ValueError, WarmUpCosineDecay, 10, 5, 1e-3, 0.0), "total_steps < warmup_steps tem de dar ValueError."
assert levanta(ValueError, WarmUpCosineDecay, 0, 0, 1e-3, 0.0), "total_steps = warmup_steps = 0 tem de dar ValueError."
assert levanta(ValueError, WarmUpCosineDecay, 0, 10, 1e-3, -1e-6), "Um target_lr negativo tem de dar ValueError."
assert not levanta(ValueError, WarmUpCosineDecay, 0, 1, 1e-3, 0.0), "warmup_steps = 0, total_steps = 1 e target_lr = 0 são válidos: não levantes ValueError."

# %% teste_warmup_cosine_fit_e_guardar
# Sem aquecimento, num fit que passa do fim (2 épocas de 5 passos, total_steps = 8).
_s = WarmUpCosineDecay(0, 8, 3e-2, 3e-4)
_ref = referencia_cosseno(0, 8, 3e-2, 3e-4)
_treino = cenarios.treinar_com_taxa(criar_modelo(1), _s, d.x_treino[:320], d.y_treino[:320], epochs=2, batch_size=64)
assert len(_treino["taxas"]) == 10, f"Esperava 10 passos de treino; o callback viu {len(_treino['taxas'])}."
for _it, _lr in _treino["taxas"]:
    _r = float(_ref(_it - 1))
    assert abs(_lr - _r) <= 1e-6 * _r + 1e-6 * 3e-2, f"Sem aquecimento, no passo {_it - 1} do fit o otimizador usou {_lr:.6e}; esperava {_r:.6e}."
# get_config: exatamente os quatro argumentos, e from_config recria a taxa noutros passos.
_c = _s.get_config()
assert {k: _c[k] for k in ("warmup_steps", "total_steps", "initial_lr", "target_lr")} == {"warmup_steps": 0, "total_steps": 8, "initial_lr": 3e-2, "target_lr": 3e-4}, f"get_config deve devolver os quatro argumentos do construtor; devolveu {_c}."
_copia = WarmUpCosineDecay.from_config(_c)
assert all(abs(float(_copia(_p)) - float(_s(_p))) < 1e-12 for _p in (0, 3, 8, 50)), "from_config(get_config()) tem de dar a mesma taxa em todos os passos."
# O modelo lido do ficheiro continua a treinar com a mesma taxa.
_taxa_lida = WarmUpCosineDecay.from_config(_treino["config_lida"])
assert abs(float(_taxa_lida(4)) - float(_ref(4))) <= 1e-6 * float(_ref(4)) + 3e-8, "A taxa do modelo lido do ficheiro não é a mesma: o get_config tem de guardar os quatro argumentos."

# %% teste_simular_plateau_basico
def _plateau_real(historico, lr_inicial, **kwargs):
    """A taxa em vigor em cada época com o ReduceLROnPlateau verdadeiro do tf_keras."""
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    modelo.compile(optimizer=keras.optimizers.SGD(lr_inicial), loss="mse")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", **kwargs)
    cb.set_model(modelo)
    cb.on_train_begin()
    taxas = []
    for epoca, valor in enumerate(historico):
        taxas.append(float(modelo.optimizer.learning_rate))
        cb.on_epoch_end(epoca, {"val_loss": valor})
    return taxas


# Curvas com subidas e descidas (a melhoria conta em relação ao MELHOR valor, não à época anterior).
_casos = [
    ([1.0, 0.5, 0.9, 0.8, 0.7, 0.6, 0.55, 0.52, 0.51, 0.45, 0.46], 0.1, {}),
    ([2.0, 1.5, 1.2, 1.1, 1.05, 1.04, 1.04, 1.03, 1.03, 1.03, 1.02, 1.02, 1.02, 1.02], 1e-3, {"patience": 2}),
    (list(np.round(1.0 / np.arange(1, 16) + 0.05 * np.sin(np.arange(15)), 4)), 5e-3, {"factor": 0.2, "patience": 2}),
]
for _h, _lr, _kw in _casos:
    _real = _plateau_real(_h, _lr, **{"factor": 0.5, "patience": 3, "min_lr": 1e-7, **_kw})
    _sim = simular_reduce_on_plateau(_h, _lr, **_kw)
    assert len(_sim) == len(_h) and np.allclose(_sim, _real, rtol=1e-6, atol=0), f"Com o histórico {_h}, lr_inicial = {_lr} e {_kw or 'os valores por omissão'}, o ReduceLROnPlateau usa {_real}; a tua simulação deu {_sim}."
# Um histórico de uma época só: a taxa dessa época é lr_inicial.
assert np.allclose(simular_reduce_on_plateau([0.3], 0.02), [0.02]), "Com uma época só, a lista é [lr_inicial]."

# %% teste_simular_plateau_casos
def _plateau_real(historico, lr_inicial, **kwargs):
    """A taxa em vigor em cada época com o ReduceLROnPlateau verdadeiro do tf_keras."""
    modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
    modelo.compile(optimizer=keras.optimizers.SGD(lr_inicial), loss="mse")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", mode="min", **kwargs)
    cb.set_model(modelo)
    cb.on_train_begin()
    taxas = []
    for epoca, valor in enumerate(historico):
        taxas.append(float(modelo.optimizer.learning_rate))
        cb.on_epoch_end(epoca, {"val_loss": valor})
    return taxas


_casos = [
    # empates com min_delta = 0: um empate não é melhoria
    ([1.0, 1.0, 1.0, 1.0, 1.0, 1.0], 0.1, {"patience": 2, "min_delta": 0.0}),
    # melhorias menores do que min_delta = 0.05 não contam; maiores contam
    ([3.0, 2.0, 1.97, 1.95, 1.93, 1.5, 1.48, 1.46, 1.44, 1.43], 0.1, {"factor": 0.3, "patience": 2, "min_delta": 0.05}),
    # cooldown = 3 (silencia 2 épocas) e cooldown = 2 com uma melhoria durante o arrefecimento
    ([1.0] + [2.0] * 11, 1.0, {"patience": 1, "cooldown": 3, "min_lr": 0.0}),
    ([1.0, 2.0, 2.0, 0.5, 2.0, 2.0, 2.0, 2.0, 2.0], 1.0, {"patience": 1, "cooldown": 2, "min_lr": 0.0}),
    # patience 0 e 2 com cooldown 2
    ([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7], 1e-2, {"patience": 0, "cooldown": 2}),
    ([1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8], 1e-2, {"patience": 2, "cooldown": 2}),
    # min_lr atingido a meio de uma redução (1e-3 × 0.1 × 0.1 = 1e-5 < 4e-5) e depois a taxa fica
    ([1.0] + [2.0] * 12, 1e-3, {"factor": 0.1, "patience": 2, "min_lr": 4e-5}),
]
for _h, _lr, _kw in _casos:
    _real = _plateau_real(_h, _lr, **{"factor": 0.5, "patience": 3, "min_lr": 1e-7, **_kw})
    _sim = simular_reduce_on_plateau(_h, _lr, **_kw)
    assert len(_sim) == len(_h) and np.allclose(_sim, _real, rtol=1e-6, atol=0), f"Com o histórico {_h}, lr_inicial = {_lr} e {_kw}, o ReduceLROnPlateau usa {_real}; a tua simulação deu {_sim}."
assert levanta(ValueError, simular_reduce_on_plateau, [1.0, 0.9], 1e-3, factor=1.5), "factor > 1 tem de dar ValueError."
assert levanta(ValueError, simular_reduce_on_plateau, [1.0, 0.9], 1e-3, factor=-0.5), "factor negativo tem de dar ValueError."

# %% contexto
# O juiz (autograder/juiz.py) corre aqui todos os testes do 07. A WarmUpCosineDecay vive no kernel
# do aluno e é usada por número: cada taxa pedida (num passo int, float, tensor ou variável; em
# grafo com tf.function, compilada lá) volta como tensor; o treino com a taxa (fit, guardar e ler)
# corre lá pelo cenário otimizacao.cenarios.treinar_com_taxa, que só devolve o que o otimizador
# usou. A referência (o CosineDecay do tf_keras) e o ReduceLROnPlateau verdadeiro correm aqui.
# O básico do simular_reduce_on_plateau compara com o treino da secção 1 do caderno: do kernel
# lê-se só a curva de validação (val_loss) e a taxa inicial.
import tensorflow as tf
import tf_keras as keras

from otimizacao import dados, modelos

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
cenarios = no_kernel("otimizacao.cenarios")


def criar_modelo(semente: int = 0):
    """O modelo pequeno do caderno: Flatten → Dense(32, relu) → Dense(10) (logits), sem treino."""
    modelos.fixar_sementes(semente)
    return keras.Sequential([
        keras.layers.Input(shape=d.forma_entrada),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(d.num_classes),
    ], name="pequeno")


def referencia_cosseno(w, t, inicial, final):
    """O CosineDecay do tf_keras com os argumentos da WarmUpCosineDecay (como no caderno)."""
    return keras.optimizers.schedules.CosineDecay(0.0, decay_steps=t - w, alpha=final / inicial,
                                                  warmup_target=inicial, warmup_steps=w)


DO_KERNEL = ("val_loss", "TAXA")


def depois_do_caderno():
    """taxas_reais: a taxa em vigor em cada época com o ReduceLROnPlateau da secção 1 (factor=0.5,
    patience=3, min_lr=1e-7) conduzido pela val_loss do caderno."""
    global taxas_reais
    try:
        modelo = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1)])
        modelo.compile(optimizer=keras.optimizers.SGD(float(TAXA)), loss="mse")
        cb = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=3, min_lr=1e-7)
        cb.set_model(modelo)
        cb.on_train_begin()
        taxas_reais = []
        for epoca, valor in enumerate(val_loss):
            taxas_reais.append(float(modelo.optimizer.learning_rate))
            cb.on_epoch_end(epoca, {"val_loss": float(valor)})
    except Exception:  # noqa: BLE001 (a curva do caderno não é uma lista de números: o teste falha)
        taxas_reais = None
