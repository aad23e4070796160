"""Respostas de alunos imaginários ao caderno 05_poda_e_quantizacao, para provar que a
avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles os do texto do módulo); cada um tem de falhar as células
indicadas. MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).
"""

_CABECA = '''
def otimizar_modelo_completo(modelo, x_treino, y_treino, x_val, y_val,
                             esparsidade: float = 0.8) -> dict:
'''

_AFINAR_COM_MASCARA = '''
    envolvido = tfmot.sparsity.keras.prune_low_magnitude(
        podado, pruning_schedule=tfmot.sparsity.keras.ConstantSparsity(esparsidade, 0, end_step=1, frequency=1))
    envolvido.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    envolvido.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0,
                  callbacks=[tfmot.sparsity.keras.UpdatePruningStep()])
    afinado = tfmot.sparsity.keras.strip_pruning(envolvido)
'''

_MEDIR = '''
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}
'''

CERTAS = {
    "afina 2 épocas e calibra com 200 exemplos de validação": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
''' + _AFINAR_COM_MASCARA + '''
    final = quantizar_modelo_int8(afinado, x_val, num_amostras=200)
''' + _MEDIR),
    "sem afinação extra (a poda progressiva já afina no fim) e gzip com o módulo zlib": ("otimizar_modelo_completo", _CABECA + '''
    import zlib
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade)
    final = quantizar_modelo_int8(podado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = len(zlib.compress(original, 9)), len(zlib.compress(final, 9))
    return dict(modelo_tflite=final, tamanho_original=t0, tamanho_final=t1,
                reducao=(1 - t1 / t0) * 100,
                precisao_original=avaliar_tflite(original, x_val, y_val),
                precisao_final=avaliar_tflite(final, x_val, y_val))
'''),
}

ERRADAS = {
    "afina com um fit normal (como o texto): os zeros voltam": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
    podado.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    podado.fit(x_treino, y_treino, batch_size=16, epochs=2, verbose=0)
    final = quantizar_modelo_int8(podado, x_treino)
''' + _MEDIR, ["teste_otimizar_pipeline", "teste_otimizar_medidas"]),
    "tamanhos sem gzip (len dos bytes): os zeros não poupam nada": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
''' + _AFINAR_COM_MASCARA + '''
    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = len(original), len(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 100 * (t0 - t1) / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}
''', ["teste_otimizar_medidas"]),
    "tamanhos em MB, como o texto (float)": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
''' + _AFINAR_COM_MASCARA + '''
    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original) / 1024**2, tamanho_gzip(final) / 1024**2
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": (1 - t1 / t0) * 100,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}
''', ["teste_otimizar_medidas"]),
    "esquece a poda: só quantiza (≈3,7×, não 8×)": ("otimizar_modelo_completo", _CABECA + '''
    final = quantizar_modelo_int8(modelo, x_treino)
''' + _MEDIR, ["teste_otimizar_pipeline", "teste_otimizar_medidas"]),
    "quantização só dos pesos (entrada e saída float)": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
''' + _AFINAR_COM_MASCARA + '''
    conversor = tf.lite.TFLiteConverter.from_keras_model(afinado)
    conversor.optimizations = [tf.lite.Optimize.DEFAULT]
    final = conversor.convert()
''' + _MEDIR, ["teste_otimizar_pipeline"]),
    "reducao como fração (0.89) em vez de percentagem": ("otimizar_modelo_completo", _CABECA + '''
    podado = podar_progressivamente(modelo, x_treino, y_treino, esparsidade_final=esparsidade)
''' + _AFINAR_COM_MASCARA + '''
    final = quantizar_modelo_int8(afinado, x_treino)
    original = tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
    t0, t1 = tamanho_gzip(original), tamanho_gzip(final)
    return {"modelo_tflite": final, "tamanho_original": t0, "tamanho_final": t1,
            "reducao": 1 - t1 / t0,
            "precisao_original": avaliar_tflite(original, x_val, y_val),
            "precisao_final": avaliar_tflite(final, x_val, y_val)}
''', ["teste_otimizar_medidas"]),
    "poda o modelo de quem chama (afina-o no lugar com a máscara fixa)": ("otimizar_modelo_completo", _CABECA + '''
    podado = modelo
''' + _AFINAR_COM_MASCARA + '''
    final = quantizar_modelo_int8(afinado, x_treino)
''' + _MEDIR, ["teste_otimizar_pipeline"]),
}

# O aluno «meio certo» mede os tamanhos sem gzip: o pipeline está certo (4 pontos), as medidas
# não (0 de 2). As funções que traz dos cadernos 01 e 04 são as da referência.
MEIO_CERTO = {
    "otimizar_modelo_completo": "tamanhos sem gzip (len dos bytes): os zeros não poupam nada",
}
