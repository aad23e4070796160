# Testes ocultos do caderno 04_poda.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, keras, d, modelo, ...).
# Os valores esperados foram calculados à mão a partir de docs/contrato.md#04_poda, nunca com solutions/.
# Os treinos partem do modelo de base já treinado no caderno e fixam a semente (determinísticos).

# %% teste_mascara_magnitude
# Pesos distintos em ordem baralhada (os empates vêm a seguir); n·s nunca acaba em .5 exato.
_rng = np.random.default_rng(7)
_w = (_rng.permutation(np.linspace(0.05, 3.0, 100)) * _rng.choice([-1.0, 1.0], size=100)).astype(np.float32).reshape(10, 10)
for _s, _n in ((0.37, 37), (0.8, 80), (0.123, 12), (0.996, 100), (0.004, 0)):
    _m = np.asarray(mascara_magnitude(_w, _s))
    assert _m.shape == (10, 10) and _m.dtype == bool, "A máscara deve ser booleana e ter a forma dos pesos."
    assert int((~_m).sum()) == _n, f"Com 100 pesos e esparsidade {_s} devem sair round({_s}·100) = {_n}; saíram {int((~_m).sum())}. Usa round() e não int() (que trunca)."
    if 0 < _n < 100:
        assert np.abs(_w[~_m]).max() <= np.abs(_w[_m]).min(), f"Com esparsidade {_s}, um peso removido tem |w| maior do que um que ficou: ordena por valor absoluto."
# round(0.37 * 10) = 4, mas int(0.37 * 10) = 3.
_m10 = np.asarray(mascara_magnitude(np.arange(1, 11, dtype=np.float32), 0.37))
assert int((~_m10).sum()) == 4, "Com 10 pesos e esparsidade 0.37 saem round(3.7) = 4 pesos (não 3: não trunques)."
assert not _m10[:4].any() and _m10[4:].all(), "Com pesos 1..10 e esparsidade 0.37 saem os quatro mais pequenos (1, 2, 3, 4)."
# Um kernel de convolução 4D mantém a forma.
_k = np.random.default_rng(3).normal(size=(3, 3, 2, 8)).astype(np.float32)
_mk = np.asarray(mascara_magnitude(_k, 0.6))
assert _mk.shape == _k.shape, "Para um kernel de convolução (3, 3, 2, 8) a máscara deve ter a mesma forma 4D."
assert int((~_mk).sum()) == round(0.6 * _k.size), "Num kernel 4D também saem exatamente round(esparsidade·n) pesos."
# Os negativos grandes ficam.
_neg = np.array([-5.0, 0.1, -0.2, 4.0, 0.3], dtype=np.float32)
assert np.array_equal(np.asarray(mascara_magnitude(_neg, 0.6)), np.array([True, False, False, True, False])), "Os pesos -5.0 e 4.0 são os maiores em |w|: são os que ficam com esparsidade 0.6."
# Empates em |w|: saem exatamente round(esparsidade·n), mesmo quando o corte cai a meio de um
# grupo de pesos com a mesma magnitude. Um limiar (|w| > k-ésimo menor, ou >=) remove ou deixa
# o grupo inteiro. Contas à mão: 5 magnitudes (0.5, 1, 1.5, 2, 2.5) repetidas 4 vezes, sinais
# alternados; com 0.3 saem round(6.0) = 6 (os quatro 0.5 e dois dos 1.0; um limiar tiraria 8);
# com 0.45 saem round(9.0) = 9 (um limiar tiraria 12 ou 8).
_emp = (np.repeat(np.arange(1, 6) * 0.5, 4) * np.tile([1.0, -1.0], 10)).astype(np.float32)
_emp = _emp[np.random.default_rng(11).permutation(20)].reshape(4, 5)
for _s, _n in ((0.3, 6), (0.45, 9)):
    _m = np.asarray(mascara_magnitude(_emp, _s))
    assert int((~_m).sum()) == _n, f"Com pesos repetidos (cada |w| aparece 4 vezes) e esparsidade {_s} devem sair exatamente round({_s}·20) = {_n}; saíram {int((~_m).sum())}. Um limiar (|w| > k-ésimo menor) tira ou deixa todos os empatados: escolhe os k índices com np.argsort."
    assert np.abs(_emp[~_m]).max() <= np.abs(_emp[_m]).min(), f"Com pesos repetidos e esparsidade {_s}, um peso removido tem |w| maior do que um que ficou."
# Voltar a podar um tensor que já tem zeros exatos (30 zeros em 100): com 0.2 saem 20 zeros (e só
# 20; |w| > 0 tiraria os 30); com 0.5 saem os 30 zeros e os 20 menores dos outros.
_z = np.concatenate([np.zeros(30), np.linspace(0.1, 7.0, 70) * np.tile([1.0, -1.0], 35)]).astype(np.float32)
_z = _z[np.random.default_rng(12).permutation(100)].reshape(10, 10)
for _s, _n in ((0.2, 20), (0.5, 50)):
    _m = np.asarray(mascara_magnitude(_z, _s))
    assert int((~_m).sum()) == _n, f"Num tensor já podado (30 zeros em 100), com esparsidade {_s} devem sair exatamente round({_s}·100) = {_n}; saíram {int((~_m).sum())}. Os zeros empatam entre si: um limiar (|w| > k-ésimo menor) tira-os todos."
    assert np.abs(_z[~_m]).max() <= np.abs(_z[_m]).min(), f"Num tensor já podado, com esparsidade {_s}, um peso removido tem |w| maior do que um que ficou: os zeros saem primeiro."
# Todos iguais: com 10 pesos de valor 1 e esparsidade 0.3 saem 3 (quaisquer 3).
_m = np.asarray(mascara_magnitude(np.ones(10, dtype=np.float32), 0.3))
assert int((~_m).sum()) == 3, f"Com 10 pesos iguais e esparsidade 0.3 saem exatamente 3 (quaisquer); saíram {int((~_m).sum())}."

# %% teste_mascara_limites
assert np.asarray(mascara_magnitude(np.ones((2, 3), dtype=np.float32), 0.0)).shape == (2, 3), "Com esparsidade 0 a máscara também mantém a forma."
assert levanta(ValueError, mascara_magnitude, np.ones(4), 1.5), "esparsidade = 1.5 está fora de [0, 1): ValueError."
assert levanta(ValueError, mascara_magnitude, np.ones(4), -0.01), "esparsidade = -0.01 está fora de [0, 1): ValueError."
assert not levanta(ValueError, mascara_magnitude, np.ones(4), 0.99), "esparsidade = 0.99 é válida (está em [0, 1))."

# %% teste_calcular_sparsity
# Camadas de tamanhos diferentes: a fração é sobre o total, não a média das frações.
_m2 = keras.Sequential([
    keras.layers.Input(shape=(4, 4, 1)),
    keras.layers.Conv2D(2, 3, name="c"),           # kernel 3·3·1·2 = 18 pesos
    keras.layers.Flatten(),
    keras.layers.Dense(3, name="a"),               # kernel 8·3 = 24 pesos
    keras.layers.Dense(2, name="b"),               # kernel 3·2 = 6 pesos
])
for _nome, _zeros in (("c", 9), ("a", 0), ("b", 6)):
    _c = _m2.get_layer(_nome)
    _kk = np.ones(_c.kernel.shape, dtype=np.float32).ravel()
    _kk[:_zeros] = 0.0
    _c.set_weights([_kk.reshape(_c.kernel.shape), np.zeros(_c.bias.shape, dtype=np.float32)])
_s = float(calcular_sparsity(_m2))
# 15 zeros em 48 pesos de kernels = 0.3125 (a média das frações por camada daria 0.5; com biases, 15+7 zeros em 55 = 0.4).
assert abs(_s - 15 / 48) < 1e-6, f"Esperava 15 zeros em 48 pesos = 0.3125 e recebi {_s:.4f}. Soma os zeros e os pesos de todos os kernels (sem biases) antes de dividir."
assert 0.0 <= float(calcular_sparsity(modelo)) <= 1.0, "A esparsidade é uma fração entre 0 e 1 (não uma percentagem)."

# %% teste_podar_progressivamente
# Medido com a referência (semente 0, 0,8, 4 épocas): esparsidade 0,79999; exatidão 0,959 para 0,970 densa.
assert [type(c).__name__ for c in base.layers] == [type(c).__name__ for c in modelo.layers], "As camadas do modelo que passaste foram trocadas: trabalha numa cópia."
for _c in podado.layers:
    if hasattr(_c, "kernel"):
        _z = float(np.mean(_c.kernel.numpy() == 0))
        assert abs(_z - 0.8) <= 0.03, f"A camada {_c.name} tem {_z:.1%} de zeros: todas as camadas podáveis devem chegar perto do alvo (0.8)."
_p = np.asarray(podado.predict(d.x_teste[:5], verbose=0))
assert _p.shape == (5, 10), "O modelo podado deve devolver uma saída por classe (10) para cada exemplo."

# %% teste_podar_alvo_e_epocas
# O visível já treinou uma só época com alvo 0.5 (referência: 0,500 em 79 passos): cada camada
# podável também tem de chegar ao alvo, e a saída continua a ser a de um classificador.
for _c in podado.layers:
    if hasattr(_c, "kernel"):
        _z = float(np.mean(_c.kernel.numpy() == 0))
        assert abs(_z - 0.5) <= 0.03, f"Com alvo 0.5, a camada {_c.name} tem {_z:.1%} de zeros: o calendário deve podar todas as camadas até ao alvo."
assert modelos.exatidao(podado, d.x_teste, d.y_teste) >= 0.8, "Com 50 % de esparsidade e uma época o modelo ainda devia acertar em mais de 80 % (medido: 0,96): treinas com os dados e as etiquetas certas?"

# %% teste_tamanho_gzip
_aleatorios = np.random.default_rng(0).bytes(20_000)
_t = tamanho_gzip(_aleatorios)
assert 20_000 <= _t <= 20_300, f"20 000 bytes aleatórios não se comprimem: esperava ~20 000 bytes e recebi {_t}. Devolve o tamanho em bytes depois de gzip."
assert tamanho_gzip(bytearray(5_000)) < 100, "tamanho_gzip também deve aceitar bytearray (comprime os bytes)."
# O modelo de base (37 738 pesos float32 = 150 952 bytes) comprime-se pouco: medido 139 802 bytes.
_tb = int(tamanho_gzip(modelo))
assert 100_000 <= _tb <= 151_500, f"Os pesos do modelo de base comprimidos deviam ter ~140 000 bytes; recebi {_tb}. Comprimes todos os pesos (get_weights) e devolves bytes, não KB nem MB?"

# %% contexto
# O contexto do juiz (autograder/juiz.py): os nomes que os testes usam, calculados aqui, fora
# do kernel do aluno, como na primeira célula do caderno. Os modelos vão e voltam como ficheiros
# .keras (configuração e pesos, lidos com safe_mode); o modelo de base vem da cache.
import tensorflow as tf  # noqa: F401
import tensorflow_model_optimization as tfmot  # noqa: F401 (lê os modelos com invólucros de poda)
import tf_keras as keras  # noqa: F401

from otimizacao import dados, modelos

d = dados.carregar_dados("digits")
modelo = modelos.treinar_modelo_base(d)
exatidao_densa = modelos.exatidao(modelo, d.x_teste, d.y_teste)
