# Testes ocultos do caderno 06_destilacao.
# Cada secção «# %% <grade_id>» é acrescentada à célula de teste com esse grade_id, entre
# ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS (autograder/construir.py). Correm no juiz (fora do
# kernel do aluno: todos os cadernos têm a secção de contexto), depois dos testes visíveis: usam os nomes definidos lá (np, tf, keras, d, professor,
# criar_aluno, modelos, e as variáveis da parte visível da mesma célula).
# Os valores esperados foram calculados à mão (KL em nats), nunca com solutions/.
# Os treinos usam cópias do professor do caderno e alunos com semente fixa (determinísticos).

# %% teste_perda_destilacao_valores
# C) 3 classes, T = 1: professor [ln 2, 0, 0] → P = (1/2, 1/4, 1/4); aluno [0, 0, 0] → Q = 1/3.
#    KL = 1/2·ln(3/2) + 2·1/4·ln(3/4) = 0.202733 − 0.143841 = 0.058892.
_v = float(perda_destilacao(np.zeros((1, 3)), np.array([[np.log(2.0), 0.0, 0.0]]), 1.0))
assert abs(_v - 0.058892) < 1e-4, f"Com 3 classes, professor [ln 2, 0, 0] e aluno [0, 0, 0] a KL é 0.058892; deu {_v:.6f}."
# D) lote de 2: o caso A (0.130812) e um exemplo com logits iguais (0): média 0.065406 (a soma daria 0.130812).
_v = float(perda_destilacao(np.array([[0.0, 0.0], [1.0, 2.0]]), np.array([[np.log(3.0), 0.0], [1.0, 2.0]]), 1.0))
assert abs(_v - 0.130812) > 1e-3, "Num lote de 2 exemplos deu a soma das KL: faz a média sobre o lote (tf.reduce_mean), não a soma."
assert abs(_v - 0.065406) < 1e-4, f"Num lote com KL 0.130812 e 0 a perda é a média, 0.065406; deu {_v:.6f}."
# E) T = 3: professor [3·ln 3, 0] → P = (3/4, 1/4); aluno [0, 3·ln 2] → Q = (1/3, 2/3).
#    KL = 3/4·ln(9/4) + 1/4·ln(3/8) = 0.608198 − 0.245207 = 0.362990; × T² = 9 → 3.266912.
#    (Ao contrário: 9·0.383576 = 3.452185; softmax aplicado duas vezes dá um valor perto de 0.)
_v = float(perda_destilacao(np.array([[0.0, 3 * np.log(2.0)]]), np.array([[3 * np.log(3.0), 0.0]]), 3.0))
assert abs(_v - 3.266912) < 1e-3, f"Com T = 3, professor [3·ln 3, 0] e aluno [0, 3·ln 2] esperava 9 × 0.362990 = 3.266912; deu {_v:.6f}. Divides os logits (não as probabilidades) por T e multiplicas a KL por T²?"
# Probabilidades tratadas como logits (softmax antes de dividir por T) dão 0.0303 no caso A.
_v = float(perda_destilacao(np.array([[0.0, 0.0]]), np.array([[np.log(3.0), 0.0]]), 1.0))
assert abs(_v - 0.030300) > 1e-3, "Deu 0.0303: aplicaste o softmax duas vezes (probabilidades tratadas como logits). O softmax aplica-se uma vez, aos logits divididos por T."

# %% teste_perda_destilacao_propriedades
# Logits e temperatura multiplicados por k dão as mesmas distribuições: a perda fica × k².
_rng = np.random.default_rng(5)
_a, _p = _rng.normal(size=(4, 6)), _rng.normal(size=(4, 6))
_base = float(perda_destilacao(_a, _p, 1.0))
_k3 = float(perda_destilacao(3 * _a, 3 * _p, 3.0))
assert abs(_k3 - 9 * _base) <= 1e-3 * max(1.0, _base), f"Com logits × 3 e T = 3 as distribuições são as de T = 1, e a perda deve ser 9× maior ({9 * _base:.5f}); deu {_k3:.5f}. Multiplicas por T²?"
# A perda não depende da ordem dos exemplos no lote (é uma média) nem de somar uma constante aos logits.
_perm = _rng.permutation(4)
assert abs(float(perda_destilacao(_a[_perm], _p[_perm], 2.0)) - float(perda_destilacao(_a, _p, 2.0))) < 1e-5, "Trocar a ordem dos exemplos no lote não pode mudar a perda (média sobre o lote)."
assert abs(float(perda_destilacao(_a + 5.0, _p - 2.0, 2.0)) - float(perda_destilacao(_a, _p, 2.0))) < 1e-4, "Somar uma constante a todos os logits de um exemplo não muda o softmax: a perda deve ficar igual. Usas o softmax dos logits / T?"
# Aceita tensores float32 (fora de tf.function) e um lote grande com logits grandes (estabilidade numérica).
_grande = _rng.normal(size=(256, 10)) * 30
_vg = float(perda_destilacao(tf.constant(_grande, tf.float32), tf.constant(_grande[::-1], tf.float32), 1.0))
assert np.isfinite(_vg) and _vg > 0, f"Com logits grandes (±100) a perda deu {_vg}: usa tf.nn.log_softmax em vez de tf.math.log(tf.nn.softmax(...)), que dá log(0) = −inf."

# %% teste_perda_total
# Lote de 2, 3 classes, T = 1: y = [1, 2]; aluno [[0, 0, 0], [ln 2, 0, 0]]; professor [[ln 2, 0, 0], [0, 0, 0]].
#   dura: exemplo 1 Q = 1/3 → ln 3 = 1.098612; exemplo 2 Q = (1/2, 1/4, 1/4), y = 2 → ln 4 = 1.386294; média 1.242453.
#   suave: exemplo 1 = 0.058892 (caso C); exemplo 2 P = 1/3, Q = (1/2, 1/4, 1/4):
#          1/3·(ln(2/3) + 2·ln(4/3)) = 0.056633; média 0.057762.
#   alpha = 0.3: 0.3·0.057762 + 0.7·1.242453 = 0.887046 (pesos trocados: 0.413170).
_y = np.array([1, 2])
_al = np.array([[0.0, 0.0, 0.0], [np.log(2.0), 0.0, 0.0]])
_pr = np.array([[np.log(2.0), 0.0, 0.0], [0.0, 0.0, 0.0]])
_v = float(perda_total(_y, _al, _pr, 0.3, 1.0))
assert abs(_v - 0.413170) > 1e-3, "Com alpha = 0.3 deu 0.4132: os pesos estão trocados (alpha multiplica a parte suave)."
assert abs(_v - 0.887046) < 1e-4, f"Num lote de 2 exemplos com 3 classes esperava 0.3·0.057762 + 0.7·1.242453 = 0.887046; deu {_v:.6f}. Fazes a média (não a soma) da entropia cruzada sobre o lote, com from_logits=True?"
assert abs(float(perda_total(_y, _al, _pr, 1.0, 1.0)) - 0.057762) < 1e-4, "Com alpha = 1 fica só a parte suave (perda_destilacao): 0.057762."
# Com T = 2 (os casos acima usam T = 1, onde «dividir por T» e «× T²» não se veem): y = [0];
#   aluno [0, 2·ln 2]: dura (T = 1) Q = (1/5, 4/5) → ln 5 = 1.609438;
#   suave (caso E com T = 2): P = (3/4, 1/4), Q = (1/3, 2/3) → KL 0.362990, × T² = 4 → 1.451961;
#   alpha = 0.3: 0.3·1.451961 + 0.7·1.609438 = 1.562195. Erros típicos: entropia cruzada com os
#   logits do aluno divididos por T (ln 3 → 1.204617); parte suave à temperatura 1 (KL 1.145725 →
#   1.470324); parte suave sem o T² (1.235504).
_v2 = float(perda_total(np.array([0]), np.array([[0.0, 2 * np.log(2.0)]]), np.array([[2 * np.log(3.0), 0.0]]), 0.3, 2.0))
assert abs(_v2 - 1.204617) > 1e-3, "Com T = 2 deu 1.2046: a entropia cruzada com as etiquetas usa os logits do aluno sem dividir por T (só a parte suave usa a temperatura)."
assert abs(_v2 - 1.470324) > 1e-3, "Com T = 2 deu 1.4703: a parte suave foi calculada à temperatura 1. Passa a temperatura à perda_destilacao."
assert abs(_v2 - 1.562195) < 1e-4, f"Com y = [0], aluno [0, 2·ln 2], professor [2·ln 3, 0], alpha = 0.3 e T = 2 esperava 0.3·1.451961 + 0.7·1.609438 = 1.562195; deu {_v2:.6f}. A parte suave é a perda_destilacao com a temperatura (já com o T²) e a dura usa os logits do aluno sem T."
# As etiquetas podem chegar como tensor int32 (como no train_step).
_vt = float(perda_total(tf.constant(_y, tf.int32), tf.constant(_al, tf.float32), tf.constant(_pr, tf.float32), 0.3, 1.0))
assert abs(_vt - 0.887046) < 1e-4, f"Com tensores (y int32, logits float32) a perda deve ser a mesma, 0.887046; deu {_vt:.6f}."

# %% teste_destilador_professor_congelado
# O professor continua a acertar o mesmo depois do fit (não foi treinado) e o Destilador tem
# um otimizador próprio que só mexeu no aluno.
assert modelos.exatidao(prof, d.x_teste, d.y_teste) == modelos.exatidao(professor, d.x_teste, d.y_teste), "O professor passou a prever de outra forma depois do fit: não pode ser treinado."
# As previsões (logits) do professor são exatamente as de antes.
assert np.array_equal(prof.predict(d.x_teste[:32], verbose=0), professor.predict(d.x_teste[:32], verbose=0)), "Os logits do professor mudaram depois do fit: o professor não pode ser treinado."

# %% teste_destilador_perda_desce
# evaluate com um só lote (todo o conjunto de validação): a «loss» é a perda_total desse lote,
# com o alpha e a temperatura passados ao Destilador. O valor esperado usa a perda_total do
# próprio aluno (já avaliada no exercício 2): um erro lá não volta a custar pontos aqui.
_za = aluno_t.predict(d.x_val, verbose=0)
_zp = prof.predict(d.x_val, verbose=0)
_esperado = float(perda_total(d.y_val, _za, _zp, 0.5, 3.0))
_av = dest.evaluate(d.x_val, d.y_val, batch_size=len(d.x_val), verbose=0, return_dict=True)
assert "loss" in _av and "accuracy" in _av, f"O evaluate deve devolver a perda ('loss') e as métricas do compile; devolveu {sorted(_av)}."
assert abs(_av["loss"] - _esperado) <= 1e-3 * max(1.0, _esperado), f"O evaluate deu loss {_av['loss']:.5f}, mas a tua perda_total com alpha = 0.5 e T = 3 nos mesmos logits dá {_esperado:.5f}: o test_step usa a perda_total com self.alpha, self.temperatura e os logits do professor?"
assert abs(_av["accuracy"] - modelos.exatidao(aluno_t, d.x_val, d.y_val)) < 1e-6, "A accuracy do evaluate deve ser a do aluno: as métricas usam os logits do aluno."

# %% teste_destilador_aluno_aprende
# Medido com a referência (6 épocas, lotes de 64, Adam 1e-2): exatidão 0.952 com a semente 2 deste
# teste (0.963 / 0.952 / 0.952 com as sementes 0, 1, 2 do caderno); o limiar visível é 0.90.
# O professor continua igual depois do treino (alpha = 0.1, a cópia chegou congelada do caderno).
assert modelos.exatidao(prof, d.x_teste, d.y_teste) == modelos.exatidao(professor, d.x_teste, d.y_teste), "O professor mudou durante o treino: o Destilador tem de o manter congelado."
# O aluno destilado aprendeu a tarefa toda, não só algumas classes (medido: pior classe 0.880).
_prev = np.argmax(np.asarray(aluno_t.predict(d.x_teste, verbose=0)), axis=1)
_por_classe = [float(np.mean(_prev[d.y_teste == _c] == _c)) for _c in range(10)]
assert min(_por_classe) >= 0.6, f"O aluno destilado acerta pouco numa das classes ({min(_por_classe):.2f}): o treino usa as etiquetas e o professor de todos os exemplos?"

# %% contexto
# O juiz (autograder/juiz.py) corre aqui todos os testes. As perdas vão e voltam como tensores
# (e ``tf.function(perda_destilacao)`` compila-a no kernel do aluno); o Destilador vive no kernel
# do aluno e é usado por número: os modelos que recebe vão como dados (configuração e pesos) e,
# depois de cada método (compile, fit, evaluate), os pesos deles voltam para cá, onde o professor,
# o aluno treinado e as previsões se medem com o TensorFlow deste processo.
import tensorflow as tf
import tf_keras as keras

from otimizacao import dados, modelos

tf.get_logger().setLevel("ERROR")
d = dados.carregar_dados("digits")
professor = modelos.treinar_modelo_base(d)  # o mesmo professor do caderno (cache do modelo de base)
professor.trainable = False


def criar_aluno(semente: int = 0):
    """O aluno do caderno: Flatten → Dense(32, relu) → Dense(10) (logits), sem treino."""
    modelos.fixar_sementes(semente)
    return keras.Sequential([
        keras.layers.Input(shape=d.forma_entrada),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(d.num_classes),
    ], name="aluno")
