# Respostas de alunos imaginários ao caderno 09_pipeline_completo, para provar que a avaliação é
# justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos estão os do pipeline do texto do módulo.
# O aluno «meio certo» esquece-se do mps (0 de 2) e deixa temp_pruned.keras na pasta (6 de 8).


# %% certa escolher_politica_precisao: política: if/elif com casefold
def escolher_politica_precisao(dispositivo: str) -> str:

    d_ = dispositivo.casefold().strip()
    if d_ == "cpu":
        return "float32"
    elif d_ in ("gpu", "cuda", "mps"):
        return "mixed_float16"
    elif d_ == "tpu":
        return "mixed_bfloat16"
    raise ValueError(f"Não conheço o dispositivo {dispositivo!r}: usa cpu, gpu, cuda, mps ou tpu.")


# %% certa escolher_politica_precisao: política: conjuntos e match
def escolher_politica_precisao(dispositivo: str) -> str:

    match " ".join(dispositivo.split()).lower():
        case "cpu":
            return "float32"
        case "gpu" | "cuda" | "mps":
            return "mixed_float16"
        case "tpu":
            return "mixed_bfloat16"
        case _:
            raise ValueError("Dispositivo inválido; os válidos são cpu, gpu, cuda, mps e tpu.")


# %% base pipeline_em_passos
# Uma resposta certa, em passos: política protegida num try/finally, afinação com a máscara fixa,
# latência com a inferencia_tflite do aluno (um exemplo de cada vez, interpretador incluído). Os
# erros do pipeline mudam só o passo errado, numa subclasse com o nome do exercício («# base:»).
class _PipelineEmPassos:
    def __init__(self, modelo, esparsidade: float = 0.8, epocas_poda: int = 4, epocas_afinacao: int = 2):
        self.modelo = modelo
        self.esparsidade = esparsidade
        self.epocas_poda = epocas_poda
        self.epocas_afinacao = epocas_afinacao
        self.etapas = None

    def _podar(self, x, y):
        return podar_progressivamente(self.modelo, x, y, esparsidade_final=self.esparsidade, epocas=self.epocas_poda)

    def _afinar(self, podado, x, y):
        fixa = tfmot.sparsity.keras.ConstantSparsity(self.esparsidade, begin_step=0, end_step=1, frequency=1)
        envolvido = tfmot.sparsity.keras.prune_low_magnitude(podado, pruning_schedule=fixa)
        envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        envolvido.fit(x, y, batch_size=16, epochs=self.epocas_afinacao, verbose=0,
                      callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
        return tfmot.sparsity.keras.strip_pruning(envolvido)

    def _converter(self, podado, x):
        return quantizar_modelo_int8(podado, x)

    def _tamanho(self, b):
        return len(gzip.compress(bytes(b), compresslevel=9))

    def _latencia(self, b, x):
        tempos = []
        for i in range(25):
            t0 = time.perf_counter()
            inferencia_tflite(b, x[i : i + 1])
            tempos.append(time.perf_counter() - t0)
        return 1000 * float(np.median(tempos[3:]))

    def otimizar_completo(self, x_treino, y_treino, x_val, y_val) -> bytes:
        anterior = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_global_policy("float32")
        try:
            podado = self._afinar(self._podar(x_treino, y_treino), x_treino, y_treino)
            final = self._converter(podado, x_treino)
            original = tf.lite.TFLiteConverter.from_keras_model(self.modelo).convert()
            podado_float = tf.lite.TFLiteConverter.from_keras_model(podado).convert()
        finally:
            keras.mixed_precision.set_global_policy(anterior)
        pesos = np.concatenate([t.ravel() for t in conversao.tensores_int8(final).values()])
        self.etapas = []
        for nome, b, zeros in [("original", original, calcular_sparsity(self.modelo)),
                               ("podado", podado_float, calcular_sparsity(podado)),
                               ("int8", final, float(np.mean(pesos == 0)))]:
            self.etapas.append({"etapa": nome, "tamanho_gzip": self._tamanho(b),
                                "precisao": avaliar_tflite(b, x_val, y_val),
                                "latencia_ms": self._latencia(b, x_val), "esparsidade": zeros})
        return final

    def relatorio(self) -> list[dict]:
        if self.etapas is None:
            raise RuntimeError("Corre primeiro otimizar_completo: ainda não há medidas.")
        return list(self.etapas)

    def gerar_relatorio(self):
        etapas = self.relatorio()
        print("etapa | bytes (gzip) | redução | exatidão | latência (ms) | zeros")
        for e in etapas:
            print(f"{e['etapa']} | {e['tamanho_gzip']} | {etapas[0]['tamanho_gzip'] / e['tamanho_gzip']:.1f}x | "
                  f"{e['precisao']:.3f} | {e['latencia_ms']:.3f} | {e['esparsidade']:.0%}")
        fig, ax = plt.subplots()
        ax.scatter([e["tamanho_gzip"] for e in etapas], [e["precisao"] for e in etapas])
        ax.set_xlabel("bytes (gzip)")
        ax.set_ylabel("exatidão")
        return fig


# %% certa PipelineOtimizacao: pipeline: em passos (política num try/finally, latência com a inferencia_tflite)
# base: pipeline_em_passos
PipelineOtimizacao = _PipelineEmPassos


# %% certa PipelineOtimizacao: pipeline: máscara reaplicada à mão por um callback e gráfico de barras
class PipelineOtimizacao:
    def __init__(self, modelo, esparsidade: float = 0.8, epocas_poda: int = 4, epocas_afinacao: int = 2):
        self.modelo, self.esparsidade = modelo, esparsidade
        self.epocas_poda, self.epocas_afinacao = epocas_poda, epocas_afinacao
        self._medidas = {}

    def otimizar_completo(self, x_treino, y_treino, x_val, y_val) -> bytes:
        podado = podar_progressivamente(self.modelo, x_treino, y_treino, self.esparsidade, self.epocas_poda)
        mascaras = [(c, tf.cast(c.kernel != 0, c.kernel.dtype)) for c in podado.layers if hasattr(c, "kernel")]

        class ManterZeros(keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                for camada, m in mascaras:
                    camada.kernel.assign(camada.kernel * m)

        podado.compile(optimizer=keras.optimizers.Adam(3e-4),
                       loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        podado.fit(x_treino, y_treino, batch_size=32, epochs=self.epocas_afinacao, verbose=0, callbacks=[ManterZeros()])
        final = quantizar_modelo_int8(podado, x_val, num_amostras=150)
        modelos_tflite = {"original": conversao.converter_float(self.modelo),
                          "podado": conversao.converter_float(podado), "int8": final}
        zeros = {"original": calcular_sparsity(self.modelo), "podado": calcular_sparsity(podado)}
        int8 = conversao.tensores_int8(final)
        zeros["int8"] = sum(int(np.count_nonzero(t == 0)) for t in int8.values()) / sum(t.size for t in int8.values())
        for etapa, b in modelos_tflite.items():
            interp = _interpretador(b)
            interp.allocate_tensors()
            ent = interp.get_input_details()[0]
            xs = x_val[:40].astype(np.float32)
            if ent["dtype"] == np.int8:
                s, z = ent["quantization"]
                xs = np.clip(np.round(xs / s + z), -128, 127).astype(np.int8)
            ns = []
            for amostra in xs:
                interp.set_tensor(ent["index"], amostra[None])
                t0 = time.perf_counter_ns()
                interp.invoke()
                ns.append(time.perf_counter_ns() - t0)
            self._medidas[etapa] = dict(etapa=etapa, tamanho_gzip=tamanho_gzip(b),
                                        precisao=avaliar_tflite(b, x_val, y_val),
                                        latencia_ms=float(np.median(ns[5:])) / 1e6, esparsidade=zeros[etapa])
        return final

    def relatorio(self) -> list[dict]:
        if not self._medidas:
            raise RuntimeError("Sem medidas: chama otimizar_completo(x_treino, y_treino, x_val, y_val) antes.")
        return [dict(self._medidas[e]) for e in ("original", "podado", "int8")]

    def gerar_relatorio(self):
        linhas = self.relatorio()
        print(f"{'etapa':10} {'tamanho':>10} {'redução':>8} {'exatidão':>9} {'latência':>10} {'zeros':>6}")
        for e in linhas:
            print(f"{e['etapa']:10} {e['tamanho_gzip']:>10} {linhas[0]['tamanho_gzip'] / e['tamanho_gzip']:>7.1f}× "
                  f"{e['precisao']:>9.3f} {e['latencia_ms']:>7.4f} ms {e['esparsidade']:>6.1%}")
        fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3))
        a.bar([e["etapa"] for e in linhas], [e["tamanho_gzip"] for e in linhas])
        a.set_ylabel("bytes (gzip)")
        b.bar([e["etapa"] for e in linhas], [e["precisao"] for e in linhas])
        b.set_ylabel("exatidão")
        return fig


# %% errada escolher_politica_precisao: política: mps → float32 (o M1 não teria float16)
# falha: teste_escolher_politica_precisao
# aluno: meio_certo
def escolher_politica_precisao(dispositivo: str) -> str:

    tabela = {"cpu": "float32", "mps": "float32", "gpu": "mixed_float16", "cuda": "mixed_float16", "tpu": "mixed_bfloat16"}
    chave = dispositivo.strip().lower()
    if chave not in tabela:
        raise ValueError(f"Dispositivo desconhecido: {dispositivo}")
    return tabela[chave]


# %% errada escolher_politica_precisao: política: sem ignorar maiúsculas e espaços
# falha: teste_escolher_politica_precisao
def escolher_politica_precisao(dispositivo: str) -> str:

    tabela = {"cpu": "float32", "mps": "mixed_float16", "gpu": "mixed_float16", "cuda": "mixed_float16", "tpu": "mixed_bfloat16"}
    if dispositivo not in tabela:
        raise ValueError(f"Dispositivo desconhecido: {dispositivo}")
    return tabela[dispositivo]


# %% errada escolher_politica_precisao: política: 'float16' em vez de 'mixed_float16'
# falha: teste_escolher_politica_precisao
def escolher_politica_precisao(dispositivo: str) -> str:

    tabela = {"cpu": "float32", "mps": "float16", "gpu": "float16", "cuda": "float16", "tpu": "bfloat16"}
    chave = dispositivo.strip().lower()
    if chave not in tabela:
        raise ValueError(f"Dispositivo desconhecido: {dispositivo}")
    return tabela[chave]


# %% errada escolher_politica_precisao: política: dispositivo desconhecido dá float32 em vez de ValueError
# falha: teste_escolher_politica_precisao
def escolher_politica_precisao(dispositivo: str) -> str:

    tabela = {"mps": "mixed_float16", "gpu": "mixed_float16", "cuda": "mixed_float16", "tpu": "mixed_bfloat16"}
    return tabela.get(dispositivo.strip().lower(), "float32")


# %% errada escolher_politica_precisao: política: KeyError do dicionário em vez de ValueError
# falha: teste_escolher_politica_precisao
def escolher_politica_precisao(dispositivo: str) -> str:

    tabela = {"cpu": "float32", "mps": "mixed_float16", "gpu": "mixed_float16", "cuda": "mixed_float16", "tpu": "mixed_bfloat16"}
    return tabela[dispositivo.strip().lower()]


# %% errada escolher_politica_precisao: política: tpu → mixed_float16
# falha: teste_escolher_politica_precisao
def escolher_politica_precisao(dispositivo: str) -> str:

    chave = dispositivo.strip().lower()
    if chave == "cpu":
        return "float32"
    if chave in ("gpu", "cuda", "mps", "tpu"):
        return "mixed_float16"
    raise ValueError(f"Dispositivo desconhecido: {dispositivo}")


# %% errada PipelineOtimizacao: pipeline: o do texto (métodos pass, política mista global, temp_pruned.keras)
# falha: teste_pipeline_resultado, teste_pipeline_sem_efeitos, teste_pipeline_relatorio
class PipelineOtimizacao:
    def __init__(self, modelo, esparsidade: float = 0.8, epocas_poda: int = 4, epocas_afinacao: int = 2):
        self.model_original = modelo
        self.model_otimizado = None

    def otimizar_completo(self, x_treino, y_treino, x_val, y_val) -> bytes:
        keras.mixed_precision.set_global_policy(keras.mixed_precision.Policy("mixed_float16"))
        model_pruned = self.aplicar_pruning(x_treino, y_treino)
        model_pruned.fit(x_treino, y_treino, validation_data=(x_val, y_val), epochs=5, verbose=0)
        model_pruned.save("temp_pruned.keras")
        model_quantizado = self.aplicar_quantizacao("temp_pruned.keras", x_treino)
        self.gerar_relatorio()
        self.model_otimizado = model_quantizado
        return model_quantizado

    def aplicar_pruning(self, x_treino, y_treino):
        pass

    def aplicar_quantizacao(self, model_path, x_treino):
        pass

    def relatorio(self) -> list[dict]:
        pass

    def gerar_relatorio(self):
        print("RELATÓRIO FINAL DE OTIMIZAÇÃO")


# %% errada PipelineOtimizacao: pipeline: afina com um fit normal (sem a máscara): os zeros voltam
# falha: teste_pipeline_resultado, teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def _afinar(self, podado, x, y):
        podado.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        podado.fit(x, y, batch_size=16, epochs=self.epocas_afinacao, verbose=0)
        return podado


# %% errada PipelineOtimizacao: pipeline: deixa temp_pruned.keras na pasta de trabalho (como o texto)
# falha: teste_pipeline_sem_efeitos
# base: pipeline_em_passos
# aluno: meio_certo
class PipelineOtimizacao(_PipelineEmPassos):

    def _converter(self, podado, x):
        podado.save("temp_pruned.keras")
        return quantizar_modelo_int8(keras.models.load_model("temp_pruned.keras"), x)


# %% errada PipelineOtimizacao: pipeline: ativa a precisão mista para a conversão e não repõe a política
# falha: teste_pipeline_sem_efeitos
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def otimizar_completo(self, x_treino, y_treino, x_val, y_val) -> bytes:
        final = super().otimizar_completo(x_treino, y_treino, x_val, y_val)
        keras.mixed_precision.set_global_policy("mixed_float16")  # «PASSO 1» do texto, no fim
        return final


# %% errada PipelineOtimizacao: pipeline: poda o modelo de quem chama (prune_low_magnitude sem clonar)
# falha: teste_pipeline_sem_efeitos, teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def _podar(self, x, y):
        passos = self.epocas_poda * int(np.ceil(len(x) / 16))
        calendario = tfmot.sparsity.keras.PolynomialDecay(0.0, self.esparsidade, 0, passos // 2, frequency=10)
        envolvido = tfmot.sparsity.keras.prune_low_magnitude(self.modelo, pruning_schedule=calendario)
        envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        envolvido.fit(x, y, batch_size=16, epochs=self.epocas_poda, verbose=0,
                      callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
        return tfmot.sparsity.keras.strip_pruning(envolvido)


# %% errada PipelineOtimizacao: pipeline: só quantiza, sem poda (≈3,7×, não 8×)
# falha: teste_pipeline_resultado, teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def _podar(self, x, y):
        copia = keras.models.clone_model(self.modelo)
        copia.set_weights(self.modelo.get_weights())
        return copia

    def _afinar(self, podado, x, y):
        return podado


# %% errada PipelineOtimizacao: pipeline: quantização só dos pesos (entrada e saída float)
# falha: teste_pipeline_resultado
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def _converter(self, podado, x):
        conversor = tf.lite.TFLiteConverter.from_keras_model(podado)
        conversor.optimizations = [tf.lite.Optimize.DEFAULT]
        return conversor.convert()


# %% errada PipelineOtimizacao: pipeline: tamanhos sem gzip (len dos bytes): os zeros não poupam nada
# falha: teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def _tamanho(self, b):
        return len(b)


# %% errada PipelineOtimizacao: pipeline: relatório antes de correr devolve uma lista vazia em vez de RuntimeError
# falha: teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def relatorio(self) -> list[dict]:
        return list(self.etapas or [])


# %% errada PipelineOtimizacao: pipeline: precisão e esparsidade em percentagem
# falha: teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def relatorio(self) -> list[dict]:
        return [dict(e, precisao=100 * e["precisao"], esparsidade=100 * e["esparsidade"]) for e in super().relatorio()]


# %% errada PipelineOtimizacao: pipeline: gerar_relatorio mostra a figura (plt.show) e não a devolve
# falha: teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def gerar_relatorio(self):
        super().gerar_relatorio()
        plt.show()


# %% errada PipelineOtimizacao: pipeline: esparsidade do original medida depois da poda (no modelo podado)
# falha: teste_pipeline_relatorio
# base: pipeline_em_passos
class PipelineOtimizacao(_PipelineEmPassos):

    def relatorio(self) -> list[dict]:
        etapas = super().relatorio()
        etapas[0] = dict(etapas[0], esparsidade=etapas[1]["esparsidade"])
        return etapas
