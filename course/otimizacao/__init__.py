"""Pacote de apoio do curso «Módulo 4 — Técnicas Avançadas de Otimização».

Os cadernos de ``course/`` importam daqui os dados, o modelo de base, as medições e os
gráficos, para que cada caderno mostre só a ideia nova. Cada função pública diz, na sua
docstring, o caderno que a apresenta.

Módulos:
    dados        -- conjunto de dados embutido (digits) e MNIST/Fashion-MNIST a pedido
    modelos      -- o modelo de base tf_keras (CNN pequena, treinada em segundos)
    medidas      -- tamanhos em bytes, MB e gzip
    dispositivo  -- cuda / mps / cpu e o motor quantizado do PyTorch (qnnpack em arm64)
    graficos     -- figuras reutilizadas pelos cadernos
"""

import os as _os

# tfmot só funciona com Keras 2 (tf_keras); garante que o tf.keras do TensorFlow também o é.
_os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
# Menos ruído do TensorFlow no ecrã do aluno (os erros de Python continuam a aparecer).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__all__ = ["dados", "modelos", "medidas", "dispositivo", "graficos"]
