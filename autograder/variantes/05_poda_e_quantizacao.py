# Respostas de alunos imaginários ao caderno 05_poda_e_quantizacao, para provar que a avaliação é
# justa. Cada secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos estão os do texto do módulo.
# O aluno «meio certo» mede os tamanhos sem gzip: o pipeline está certo (4 pontos), as medidas não
# (0 de 2). As funções que traz dos cadernos 01 e 04 são as da referência.


# %% certa otimizar_modelo_completo: afina 2 épocas e calibra com 200 exemplos de validação
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    final = quantizar_modelo_int8(afinado, x_val, num_amostras=200)

    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% certa otimizar_modelo_completo: sem afinação extra (a poda progressiva já afina no fim) e gzip com o módulo zlib
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    import zlib
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade)
    final = quantizar_modelo_int8(podado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = len(zlib.compress(original, 9)), len(zlib.compress(final, 9))
    return dict(modelo_tflite=final, tamanho_original=t0, tamanho_final=t1,
                reducao=(1 - t1 / t0) * 100,
                precisao_original=avaliar_tflite(original, x_val, y_val),
                precisao_final=avaliar_tflite(final, x_val, y_val))


# %% errada otimizar_modelo_completo: afina com um fit normal (como o texto): os zeros voltam
# falha: teste_otimizar_pipeline, teste_otimizar_medidas
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
    podado.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    podado.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0)
    final = quantizar_modelo_int8(podado, x_treino)

    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: tamanhos sem gzip (len dos bytes): os zeros não poupam nada
# falha: teste_otimizar_medidas
# aluno: meio_certo
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = len(original), len(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: tamanhos em MB, como o texto (float)
# falha: teste_otimizar_medidas
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original) / 1024**2, tamanho_gzip(final) / 1024**2
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": (1 - t1 / t0) * 100,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: esquece a poda: só quantiza (≈3,7×, não 8×)
# falha: teste_otimizar_pipeline, teste_otimizar_medidas
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    final = quantizar_modelo_int8(modelo, x_treino)

    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: quantização só dos pesos (entrada e saída float)
# falha: teste_otimizar_pipeline
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    conversor = tf.lite.TFLiteConverter.from_keras_model(afinado)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    final = conversor.convert()

    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: reducao como fração (0.89) em vez de percentagem
# falha: teste_otimizar_medidas
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 1 - t1 / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}


# %% errada otimizar_modelo_completo: poda o modelo de quem chama (afina-o no lugar com a máscara fixa)
# falha: teste_otimizar_pipeline
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:

    podado = modelo

    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)

    final = quantizar_modelo_int8(afinado, x_treino)

    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}
