"""Pacote de apoio do curso «Módulo 4 — Técnicas Avançadas de Otimização».

Os cadernos de ``course/`` importam daqui os dados, o modelo de base, as medições e os
gráficos, para que cada caderno mostre só a ideia nova. Cada função pública diz, na sua
docstring, o caderno que a apresenta.

Módulos:
    ambiente     -- o processo pronto para o TensorFlow (Keras 2, sem as mensagens internas)
    dados        -- conjunto de dados embutido (digits) e MNIST/Fashion-MNIST a pedido
    modelos      -- o modelo de base tf_keras (CNN pequena, treinada em segundos, com cache)
    medidas      -- tamanhos em bytes, KiB/MiB e gzip
    conversao    -- ferramentas TFLite que nenhum exercício pede (interpretador, float32)
    dispositivo  -- cuda / mps / cpu e o motor quantizado do PyTorch (qnnpack em arm64)
    progresso    -- o registo do que cada caderno demonstrou (lido pelo caderno 10)
    manifesto    -- uma declaração por caderno: secção, exercícios, pontos, checklist
    verificacao  -- as mensagens dos testes visíveis (exercicio_pronto, levanta) e o resumo
    validacao    -- o resumo da validação (o que passou, falhou ou está por fazer, por exercício)
    cenarios     -- cenários de teste que só observam (um callback, um treino com uma taxa)
    latencia     -- o Dorminhoco, um módulo do PyTorch de custo conhecido (testes de latência)
    servico_avaliacao, mensagens, modulos_torch -- o lado do aluno do juiz da avaliação (só dados simples)
    graficos, figuras_* -- as figuras reutilizadas pelos cadernos
"""

import os as _os

# tfmot só funciona com Keras 2 (tf_keras); garante que o tf.keras do TensorFlow também o é.
_os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
# Menos ruído do TensorFlow no ecrã do aluno (os erros de Python continuam a aparecer).
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# O resumo da validação (a última célula de cada caderno) sabe o que correu neste kernel por um
# gancho do IPython registado aqui, ao importar o pacote (nunca na avaliação: otimizacao.validacao).
from otimizacao import validacao as _validacao  # noqa: E402

_validacao.instalar()

__all__ = ["dados", "modelos", "medidas", "dispositivo", "graficos"]
