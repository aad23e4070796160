# Respostas de alunos imaginários ao caderno 04_poda, para provar que a avaliação é justa. Cada
# secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos estão os do texto do módulo.
# O aluno «meio certo»: acerta nos exercícios 1 e 3 (referência) e comete o erro do texto nos
# exercícios 2 (percentagem) e 4 (tamanho sem compressão).


# %% certa mascara_magnitude: máscara com np.put e argsort sobre o array achatado
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if esparsidade < 0 or esparsidade >= 1:
        raise ValueError("esparsidade fora de [0, 1)")
    w = np.asarray(pesos)
    k = int(np.round(esparsidade * w.size))
    mascara = np.ones(w.shape, dtype=bool)
    np.put(mascara, np.argsort(np.abs(w), axis=None)[:k], False)
    return mascara


# %% certa calcular_sparsity: esparsidade pelos nomes das variáveis (…/kernel:0)
def calcular_sparsity(modelo) -> float:
    kernels = [v.numpy() for v in modelo.weights if "kernel" in v.name]
    if not kernels:
        return 0.0
    return float(sum(np.count_nonzero(k == 0) for k in kernels) / sum(k.size for k in kernels))


# %% certa podar_progressivamente: poda com lotes de 32, frequency=1 e fim a 3/4 do treino
def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final: float = 0.8,
                           epocas: int = 4) -> keras.Model:
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())
    passos = epocas * int(np.ceil(len(x_treino) / 32))
    calendario = tfmot.sparsity.keras.PolynomialDecay(0.0, esparsidade_final, begin_step=0,
                                                      end_step=max(1, 3 * passos // 4), frequency=1)
    envolvido = tfmot.sparsity.keras.prune_low_magnitude(copia, pruning_schedule=calendario)
    envolvido.compile(optimizer="adam",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=32, epochs=epocas, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(envolvido)


# %% certa tamanho_gzip: tamanho_gzip de um ficheiro .h5 temporário
import gzip
import os
import tempfile


def tamanho_gzip(modelo_ou_bytes) -> int:
    if isinstance(modelo_ou_bytes, (bytes, bytearray)):
        dados = bytes(modelo_ou_bytes)
    else:
        with tempfile.TemporaryDirectory() as pasta:
            caminho = os.path.join(pasta, "pesos.h5")
            modelo_ou_bytes.save_weights(caminho)
            with open(caminho, "rb") as f:
                dados = f.read()
    return len(gzip.compress(dados))


# %% errada mascara_magnitude: trunca com int() em vez de round(): remove um peso a menos
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    w = np.asarray(pesos)
    k = int(esparsidade * w.size)
    ordem = np.argsort(np.abs(w).ravel())
    m = np.ones(w.size, dtype=bool)
    m[ordem[:k]] = False
    return m.reshape(w.shape)


# %% errada mascara_magnitude: ordena por w e não por |w|: remove os negativos grandes
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    w = np.asarray(pesos)
    ordem = np.argsort(w.ravel())
    m = np.ones(w.size, dtype=bool)
    m[ordem[:round(esparsidade * w.size)]] = False
    return m.reshape(w.shape)


# %% errada mascara_magnitude: máscara invertida (True = removido)
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    w = np.asarray(pesos)
    ordem = np.argsort(np.abs(w).ravel())
    m = np.zeros(w.size, dtype=bool)
    m[ordem[:round(esparsidade * w.size)]] = True
    return m.reshape(w.shape)


# %% errada mascara_magnitude: limiar por quantil: a contagem não é exata
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    a = np.abs(np.asarray(pesos))
    if esparsidade == 0:
        return np.ones(a.shape, dtype=bool)
    return a > np.quantile(a, esparsidade)


# %% errada mascara_magnitude: limiar |w| > k-ésimo menor: com empates (ou zeros já podados) remove pesos a mais
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    a = np.abs(np.asarray(pesos))
    k = round(esparsidade * a.size)
    if k == 0:
        return np.ones(a.shape, dtype=bool)
    limiar = np.sort(a, axis=None)[k - 1]
    return a > limiar


# %% errada mascara_magnitude: limiar |w| >= k-ésimo menor (np.partition): com empates remove pesos a menos
# falha: teste_mascara_magnitude
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade < 1:
        raise ValueError("esparsidade fora de [0, 1)")
    a = np.abs(np.asarray(pesos))
    k = round(esparsidade * a.size)
    if k == 0:
        return np.ones(a.shape, dtype=bool)
    if k >= a.size:
        return np.zeros(a.shape, dtype=bool)
    return a >= np.partition(a.ravel(), k)[k]


# %% errada mascara_magnitude: aceita esparsidade 1.0 (valida [0, 1] em vez de [0, 1))
# falha: teste_mascara_limites
def mascara_magnitude(pesos: np.ndarray, esparsidade: float) -> np.ndarray:
    if not 0 <= esparsidade <= 1:
        raise ValueError("esparsidade fora de [0, 1]")
    w = np.asarray(pesos)
    ordem = np.argsort(np.abs(w).ravel())
    m = np.ones(w.size, dtype=bool)
    m[ordem[:round(esparsidade * w.size)]] = False
    return m.reshape(w.shape)


# %% errada calcular_sparsity: esparsidade em percentagem, como o texto a imprime (×100)
# falha: teste_calcular_sparsity
# aluno: meio_certo
def calcular_sparsity(modelo) -> float:
    total = zeros = 0
    for camada in modelo.layers:
        if hasattr(camada, "kernel"):
            k = camada.kernel.numpy()
            total += k.size
            zeros += np.sum(k == 0)
    return 100 * zeros / total if total else 0.0


# %% errada calcular_sparsity: conta também os biases (todos os get_weights)
# falha: teste_calcular_sparsity
def calcular_sparsity(modelo) -> float:
    pesos = modelo.get_weights()
    return sum(int(np.sum(w == 0)) for w in pesos) / sum(w.size for w in pesos)


# %% errada calcular_sparsity: média das esparsidades de cada camada em vez do total
# falha: teste_calcular_sparsity
def calcular_sparsity(modelo) -> float:
    fracoes = [float(np.mean(c.kernel.numpy() == 0)) for c in modelo.layers if hasattr(c, "kernel")]
    return float(np.mean(fracoes)) if fracoes else 0.0


# %% errada podar_progressivamente: calendário do texto (end_step=1000, frequency=100): fica aquém do alvo
# falha: teste_podar_progressivamente, teste_podar_alvo_e_epocas
def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final: float = 0.8,
                           epocas: int = 4) -> keras.Model:
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())
    calendario = tfmot.sparsity.keras.PolynomialDecay(initial_sparsity=0.0, final_sparsity=esparsidade_final,
                                                      begin_step=0, end_step=1000)
    envolvido = tfmot.sparsity.keras.prune_low_magnitude(copia, pruning_schedule=calendario)
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=epocas, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(envolvido)


# %% errada podar_progressivamente: poda o modelo de quem chama (sem clonar)
# falha: teste_podar_progressivamente
def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final: float = 0.8,
                           epocas: int = 4) -> keras.Model:
    passos = epocas * int(np.ceil(len(x_treino) / 16))
    calendario = tfmot.sparsity.keras.PolynomialDecay(0.0, esparsidade_final, begin_step=0,
                                                      end_step=2 * passos // 3, frequency=1)
    envolvido = tfmot.sparsity.keras.prune_low_magnitude(modelo, pruning_schedule=calendario)
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=epocas, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return tfmot.sparsity.keras.strip_pruning(envolvido)


# %% errada podar_progressivamente: esquece o strip_pruning: devolve o modelo com os invólucros
# falha: teste_podar_progressivamente
def podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final: float = 0.8,
                           epocas: int = 4) -> keras.Model:
    copia = keras.models.clone_model(modelo)
    copia.set_weights(modelo.get_weights())
    passos = epocas * int(np.ceil(len(x_treino) / 16))
    calendario = tfmot.sparsity.keras.PolynomialDecay(0.0, esparsidade_final, begin_step=0,
                                                      end_step=2 * passos // 3, frequency=1)
    envolvido = tfmot.sparsity.keras.prune_low_magnitude(copia, pruning_schedule=calendario)
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=epocas, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    return envolvido


# %% errada tamanho_gzip: mede o tamanho sem comprimir (bytes crus dos pesos)
# falha: teste_tamanho_gzip
# aluno: meio_certo
def tamanho_gzip(modelo_ou_bytes) -> int:
    if isinstance(modelo_ou_bytes, (bytes, bytearray)):
        return len(modelo_ou_bytes)
    return sum(w.nbytes for w in modelo_ou_bytes.get_weights())


# %% errada tamanho_gzip: devolve KB (float) em vez de bytes
# falha: teste_tamanho_gzip
import gzip


def tamanho_gzip(modelo_ou_bytes) -> int:
    if isinstance(modelo_ou_bytes, (bytes, bytearray)):
        dados = bytes(modelo_ou_bytes)
    else:
        dados = b"".join(w.tobytes() for w in modelo_ou_bytes.get_weights())
    return len(gzip.compress(dados)) / 1024


# %% errada tamanho_gzip: só aceita modelos Keras: falha com os bytes de um TFLite
# falha: teste_tamanho_gzip
import gzip


def tamanho_gzip(modelo_ou_bytes) -> int:
    dados = b"".join(w.tobytes() for w in modelo_ou_bytes.get_weights())
    return len(gzip.compress(dados))
