# Respostas de alunos imaginários ao caderno 03_qat, para provar que a avaliação é justa. Cada
# secção é o conteúdo completo de uma célula de solução, como um aluno a escreveria:
#   # %% certa <grade_id>: <descrição>    escrita de outra forma que a referência: nota máxima
#   # %% errada <grade_id>: <descrição>   um erro típico, que perde pontos
#   # falha: <célula de teste>, ...         as células de teste que o têm de apanhar
#   # aluno: meio_certo                     (opcional) o erro do aluno «meio certo» (make avaliar)
# Formato e leitura: autograder/ler_variantes.py; usado por tests/avaliacao/test_exercicios.py e por
# autograder/turma_demo.py. Os nomes que a resposta não define (np, keras, ...) são os do caderno.
# Entre os erros típicos está o código do texto do módulo.
# O aluno «meio certo»: prepara bem (referência), mas converte sem treinar.


# %% certa preparar_qat: quantize_model direto (já clona) e 'adam' em texto
def preparar_qat(modelo) -> keras.Model:
    qat = tfmot.quantization.keras.quantize_model(modelo)
    qat.compile(optimizer="adam",
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    return qat


# %% certa preparar_qat: quantize_annotate_model + quantize_apply e métrica SparseCategoricalAccuracy
def preparar_qat(modelo) -> keras.Model:
    anotado = tfmot.quantization.keras.quantize_annotate_model(keras.models.clone_model(modelo))
    anotado.set_weights(modelo.get_weights())
    qat = tfmot.quantization.keras.quantize_apply(anotado)
    qat.compile(keras.optimizers.Adam(1e-3),
                keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return qat


# %% certa treinar_com_qat: treino com tf.data e entrada/saída int8 no TFLite
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


# %% errada preparar_qat: não compila o modelo QAT
# falha: teste_preparar_qat
def preparar_qat(modelo) -> keras.Model:
    return tfmot.quantization.keras.quantize_model(modelo)


# %% errada preparar_qat: perda em texto sem from_logits (o modelo devolve logits)
# falha: teste_preparar_qat
def preparar_qat(modelo) -> keras.Model:
    qat = tfmot.quantization.keras.quantize_model(modelo)
    qat.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return qat


# %% errada preparar_qat: só anota (quantize_annotate_model) e esquece quantize_apply
# falha: teste_preparar_qat
def preparar_qat(modelo) -> keras.Model:
    anotado = tfmot.quantization.keras.quantize_annotate_model(modelo)
    anotado.compile(optimizer="adam",
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"])
    return anotado


# %% errada treinar_com_qat: não treina: converte o modelo QAT acabado de preparar
# falha: teste_treinar_com_qat
# aluno: meio_certo
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    qat = preparar_qat(modelo)
    c = tf.lite.TFLiteConverter.from_keras_model(qat)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    return qat, c.convert()


# %% errada treinar_com_qat: converte o modelo original (float) em vez do QAT, sem otimizações
# falha: teste_treinar_com_qat
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    qat = preparar_qat(modelo)
    qat.fit(x_treino, y_treino, validation_data=(x_val, y_val), epochs=epocas, verbose=0)
    return qat, tf.lite.TFLiteConverter.from_keras_model(modelo).convert()


# %% errada treinar_com_qat: treina o modelo original antes de preparar a cópia QAT
# falha: teste_treinar_com_qat
def treinar_com_qat(modelo, x_treino, y_treino, x_val, y_val, epocas: int = 3):
    modelo.fit(x_treino, y_treino, epochs=1, verbose=0)
    qat = preparar_qat(modelo)
    qat.fit(x_treino, y_treino, validation_data=(x_val, y_val), epochs=epocas, verbose=0)
    c = tf.lite.TFLiteConverter.from_keras_model(qat)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    return qat, c.convert()
