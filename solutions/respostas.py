"""Respostas de referência das perguntas de resposta livre (correção manual).

``RESPOSTAS[grade_id]`` é o texto (pt-PT, Markdown) que o build põe entre
``### BEGIN SOLUTION`` / ``### END SOLUTION`` na célula de resposta com esse grade_id.
"""

RESPOSTAS = {
    # 02_quantizacao_pytorch
    "resposta_conv2d": """
O `quantize_dynamic` só troca os tipos de camada que estão no seu **mapa por omissão**
(`nn.Linear`, LSTM, GRU, Embedding…); o `nn.Conv2d` não está nesse mapa, por isso é ignorado em
silêncio e fica em float32 (o conjunto `{nn.Linear, nn.Conv2d}` só tem efeito nas `Linear`).
Não é por não existir uma convolução dinâmica (`torch.ao.nn.quantized.dynamic.Conv2d` existe),
é por ser uma má escolha: a quantização dinâmica guarda os pesos em int8 de antemão, mas
quantiza as **ativações** em tempo de execução, a cada chamada, com a escala calculada a partir
da própria entrada, e devolve a saída de cada camada em float. Numa `nn.Linear` (ou LSTM/GRU)
o custo está em ler uma matriz de pesos grande para poucos cálculos por peso, por isso pesos em
int8 poupam memória e largura de banda, e quantizar a ativação (proporcional à entrada) é
barato. Uma convolução tem poucos pesos, cada um reutilizado em muitas posições: o tempo vai no
cálculo, e pesos int8 quase nada poupam. O ganho de uma convolução int8 está em fazer as contas
em int8 com as ativações também em int8 de camada em camada, sem voltar a float entre elas.
(Não é o custo de quantizar a entrada que impede: isso cresce com a entrada, e a convolução faz
k×k×C_saída vezes mais multiplicações.) Para quantizar também as convoluções
usa-se quantização **estática**, com as escalas das ativações calibradas de antemão com
exemplos (como na secção 5 do caderno, ou na PTQ int8 do TFLite do caderno 01), ou QAT.
""",
    # 03_qat
    "resposta_ptq_ou_qat": """
Neste cenário escolheria **QAT**. A PTQ já foi experimentada e perdeu demasiada exatidão face
ao limite aceitável; o QAT simula a quantização int8 (fake quant) durante o treino, pelo que o
modelo aprende pesos e intervalos de ativação que toleram o arredondamento e recupera quase
toda a exatidão do modelo float. O custo é mais tempo de treino (algumas épocas extra) e
precisar dos dados de treino e do código de treino, que neste caso temos. Se não houvesse
dados de treino ou a perda da PTQ fosse aceitável, ficaria pela PTQ, que é mais simples e
rápida (só precisa de umas centenas de exemplos de calibração).
""",
}
