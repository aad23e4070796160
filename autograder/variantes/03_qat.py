"""Respostas de alunos imaginários ao caderno 03, para provar que a avaliação é justa.

CERTAS: respostas corretas escritas de outra forma que a referência; têm de ter nota máxima.
ERRADAS: erros típicos (entre eles o código do texto do módulo); cada um tem de falhar pelo
menos as células de teste indicadas.
MEIO_CERTO: o aluno «meio certo» da turma de demonstração (`make avaliar`).

Cada resposta é o conteúdo completo da célula de solução (grade_id da célula → código).
Usado por tests/test_exercicios.py e por autograder/turma_demo.py (o aluno «meio_certo»).
"""

# --------------------------------------------------------------------------- certas, mas diferentes
CERTAS = {
    "quantize_model direto (já clona) e 'adam' em texto": ("preparar_qat", '''
def preparar_qat(modelo) -> keras.Model:
    qat = tfmot.quantization.keras.quantize_model(modelo)
    qat.compile(optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    return qat
'''),
    "quantize_annotate_model + quantize_apply e métrica SparseCategoricalAccuracy": ("preparar_qat", '''
def preparar_qat(modelo) -> keras.Model:
    anotado = tfmot.quantization.keras.quantize_annotate_model(keras.models.clone_model(modelo))
    anotado.set_weights(modelo.get_weights())
    qat = tfmot.quantization.keras.quantize_apply(anotado)
    qat.compile(keras.optimizers.Adam(1e-3),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return qat
'''),
    "treino com tf.data e entrada/saída int8 no TFLite": ("treinar_com_qat", '''
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    qat = preparar_qat(modelo)
    treino = tf.data.Dataset.from_tensor_slices((x_treino, y_treino)).shuffle(2048, seed=0).batch(32)
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(64)
    qat.fit(treino, validation_data=val, epochs=epocas, verbose=0)
    c = tf.lite.TFLiteConverter.from_keras_model(qat)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    c.representative_dataset = lambda: ([x_treino[i : i + 1]] for i in range(100))
    c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    c.inference_input_type = tf.int8
    c.inference_output_type = tf.int8
    return qat, c.convert()
'''),
}

# --------------------------------------------------------------------------- erros típicos
# nome -> (grade_id da célula de solução, código, células de teste que têm de falhar)
ERRADAS = {
    "não compila o modelo QAT": ("preparar_qat", '''
def preparar_qat(modelo) -> keras.Model:
    return tfmot.quantization.keras.quantize_model(modelo)
''', ["teste_preparar_qat"]),
    "perda em texto sem from_logits (o modelo devolve logits)": ("preparar_qat", '''
def preparar_qat(modelo) -> keras.Model:
    qat = tfmot.quantization.keras.quantize_model(modelo)
    qat.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return qat
''', ["teste_preparar_qat"]),
    "só anota (quantize_annotate_model) e esquece quantize_apply": ("preparar_qat", '''
def preparar_qat(modelo) -> keras.Model:
    anotado = tfmot.quantization.keras.quantize_annotate_model(modelo)
    anotado.compile(optimizer="adam",
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    return anotado
''', ["teste_preparar_qat"]),
    "não treina: converte o modelo QAT acabado de preparar": ("treinar_com_qat", '''
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    qat = preparar_qat(modelo)
    c = tf.lite.TFLiteConverter.from_keras_model(qat)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    return qat, c.convert()
''', ["teste_treinar_com_qat"]),
    "converte o modelo original (float) em vez do QAT, sem otimizações": ("treinar_com_qat", '''
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    qat = preparar_qat(modelo)
    qat.fit(x_treino, y_treino, validation_data=(x_val, y_val), epochs=epocas, verbose=0)
    return qat, tf.lite.TFLiteConverter.from_keras_model(modelo).convert()
''', ["teste_treinar_com_qat"]),
    "treina o modelo original antes de preparar a cópia QAT": ("treinar_com_qat", '''
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    modelo.fit(x_treino, y_treino, epochs=1, verbose=0)
    qat = preparar_qat(modelo)
    qat.fit(x_treino, y_treino, validation_data=(x_val, y_val), epochs=epocas, verbose=0)
    c = tf.lite.TFLiteConverter.from_keras_model(qat)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    return qat, c.convert()
''', ["teste_treinar_com_qat"]),
}

# O aluno «meio certo»: prepara bem (referência), mas converte sem treinar.
MEIO_CERTO = {
    "treinar_com_qat": "não treina: converte o modelo QAT acabado de preparar",
}
